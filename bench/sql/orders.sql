-- The `orders` table of the sync benchmark (MariaDB), rows {{first}}..{{last}} of the deterministic
-- sequence. Same definition as the shared reference harness (bench/gen.sql there): CRC32 of a
-- per-column tag and the row number drives every value, so any prefix of N rows is byte-identical
-- between runs and machines. About 5% NULL notes; every 997th note carries tab, newline, CR,
-- backslash, both quotes and a 4-byte UTF-8 character.
-- The harness runs this file through the `mariadb` client once per chunk (the table exists already).
SET NAMES utf8mb4;
SET SESSION sql_log_bin = 0;
SET SESSION time_zone = '+00:00';
USE `{{db}}`; -- the SEQUENCE engine (seq_1_to_N) needs a current database
SET @lorem = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur.';

INSERT INTO `{{db}}`.orders (id, customer_id, name, amount, created_at, status, note, attrs)
SELECT
  10000000000 + s.seq,
  1 + CRC32(CONCAT('c', s.seq)) % 200000,
  CONCAT(
    ELT(1 + CRC32(CONCAT('f', s.seq)) % 12,
        'Alice', 'Bob', 'Carol', 'José', 'Zoë', 'Łukasz', 'Mohammed', 'Priya', 'Wei', '山田', 'Olga', 'Jean-Luc'),
    ' ',
    ELT(1 + CRC32(CONCAT('l', s.seq)) % 10,
        'Smith', 'Müller', 'O''Brien', 'García', 'Nowak', 'Kowalski', 'Tanaka', 'Dubois', 'Rossi', 'Ivanova')),
  (CRC32(CONCAT('a', s.seq)) % 10000000) / 100,
  TIMESTAMP('2020-01-01 00:00:00') + INTERVAL (CRC32(CONCAT('t', s.seq)) % 157680000) SECOND,
  CRC32(CONCAT('s', s.seq)) % 6,
  CASE
    WHEN s.seq % 20 = 7 THEN NULL
    WHEN s.seq % 997 = 0 THEN CONCAT('line1\nline2\ttabbed\\back\\slash "dq" ''sq'' \r cr 😀 ', s.seq)
    ELSE SUBSTRING(@lorem, 1 + CRC32(CONCAT('n', s.seq)) % 200, 80 + CRC32(CONCAT('m', s.seq)) % 40)
  END,
  CONCAT(
    '{"sku":"SKU-', LPAD(CRC32(CONCAT('k', s.seq)) % 100000, 5, '0'),
    '","qty":', 1 + CRC32(CONCAT('q', s.seq)) % 9,
    ',"gift":', IF(CRC32(CONCAT('g', s.seq)) % 2, 'true', 'false'),
    ',"tags":["', ELT(1 + s.seq % 5, 'new', 'sale', 'b2b', 'vip', 'promo'),
    '","', ELT(1 + s.seq % 3, 'eu', 'us', 'apac'), '"]}')
FROM seq_{{first}}_to_{{last}} AS s;
