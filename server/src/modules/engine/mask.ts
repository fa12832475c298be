/** Replaces each secret (at least 3 characters long, longest first) by ******, as run logs show them. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  const ordered = [...secrets].sort((a, b) => b.length - a.length);
  for (const secret of ordered) if (secret.length >= 3) out = out.split(secret).join('******');
  return out;
}
