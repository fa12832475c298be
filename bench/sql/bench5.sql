-- The 5-table database of the sync benchmark (MariaDB): customers, products, orders, order_items,
-- payments, {{n}} rows each, with enum, boolean-like, double, TIMESTAMP and uuid-like columns,
-- secondary and unique indexes and 4 foreign keys. With {{n}} = 200000 this is the shared reference
-- harness's bench5 database, value for value (its orders are the first 200,000 rows of the big
-- orders table, renumbered from 1); smaller sizes (quick runs) keep the foreign keys valid by
-- drawing references from 1..{{n}}.
SET NAMES utf8mb4;
SET SESSION sql_log_bin = 0;
SET SESSION time_zone = '+00:00';
SET @lorem = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur.';

DROP DATABASE IF EXISTS `{{db}}`;
CREATE DATABASE `{{db}}` DEFAULT CHARACTER SET utf8mb4;
USE `{{db}}`;

CREATE TABLE customers (
  id         INT          NOT NULL PRIMARY KEY,
  email      VARCHAR(128) NOT NULL,
  name       VARCHAR(64)  NOT NULL,
  country    CHAR(2)      NOT NULL,
  created_at DATETIME     NOT NULL,
  is_active  TINYINT(1)   NOT NULL,
  profile    TEXT         NULL,
  UNIQUE KEY uq_customers_email (email)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE products (
  id          INT           NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sku         VARCHAR(32)   NOT NULL,
  title       VARCHAR(128)  NOT NULL,
  price       DECIMAL(10,2) NOT NULL,
  weight      DOUBLE        NOT NULL,
  description TEXT          NULL,
  updated_at  TIMESTAMP     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY uq_products_sku (sku)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE orders (
  id          BIGINT        NOT NULL PRIMARY KEY,
  customer_id INT           NOT NULL,
  name        VARCHAR(64)   NOT NULL,
  amount      DECIMAL(12,2) NOT NULL,
  created_at  DATETIME      NOT NULL,
  status      TINYINT       NOT NULL,
  note        TEXT          NULL,
  attrs       VARCHAR(255)  NOT NULL,
  KEY ix_orders_customer (customer_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE order_items (
  id         BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id   BIGINT        NOT NULL,
  product_id INT           NOT NULL,
  qty        SMALLINT      NOT NULL,
  unit_price DECIMAL(10,2) NOT NULL,
  discount   DECIMAL(5,2)  NULL,
  KEY ix_items_order (order_id),
  KEY ix_items_product (product_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE payments (
  id       BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT        NOT NULL,
  method   ENUM('card', 'paypal', 'wire', 'cash') NOT NULL,
  amount   DECIMAL(12,2) NOT NULL,
  paid_at  DATETIME      NULL,
  ref      CHAR(36)      NOT NULL,
  KEY ix_payments_order (order_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

INSERT INTO customers
SELECT s.seq,
       CONCAT('user', s.seq, '@example', CRC32(CONCAT('d', s.seq)) % 50, '.com'),
       CONCAT(ELT(1 + CRC32(CONCAT('f', s.seq)) % 6, 'Alice', 'Bob', 'José', 'Zoë', '山田', 'Olga'), ' ',
              ELT(1 + CRC32(CONCAT('l', s.seq)) % 5, 'Smith', 'Müller', 'O''Brien', 'García', 'Nowak')),
       ELT(1 + s.seq % 8, 'DE', 'FR', 'US', 'GB', 'PL', 'JP', 'IN', 'BR'),
       TIMESTAMP('2018-01-01') + INTERVAL (CRC32(CONCAT('t', s.seq)) % 157680000) SECOND,
       IF(s.seq % 10 = 0, 0, 1),
       IF(s.seq % 4 = 0, NULL, SUBSTRING(@lorem, 1 + s.seq % 150, 60 + s.seq % 60))
FROM seq_1_to_{{n}} AS s;

INSERT INTO products
SELECT s.seq,
       CONCAT('SKU-', LPAD(s.seq, 7, '0')),
       CONCAT(ELT(1 + s.seq % 6, 'Red', 'Blue', 'Green', 'Black', 'White', 'Grün'), ' ',
              ELT(1 + s.seq % 5, 'widget', 'gadget', 'sprocket', 'gizmo', 'doohickey'), ' #', s.seq),
       (CRC32(CONCAT('p', s.seq)) % 100000) / 100,
       (CRC32(CONCAT('w', s.seq)) % 100000) / 997,
       IF(s.seq % 997 = 0, CONCAT('tab\there\nnewline\\bs 😀 ', s.seq),
          SUBSTRING(@lorem, 1 + s.seq % 200, 100 + s.seq % 50)),
       TIMESTAMP('2023-01-01') + INTERVAL (CRC32(CONCAT('u', s.seq)) % 31536000) SECOND
FROM seq_1_to_{{n}} AS s;

-- Row n of the big orders table with id n (the reference copies those rows over).
INSERT INTO orders
SELECT s.seq,
  1 + CRC32(CONCAT('c', s.seq)) % {{n}},
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
FROM seq_1_to_{{n}} AS s;

INSERT INTO order_items
SELECT s.seq,
       1 + CRC32(CONCAT('o', s.seq)) % {{n}},
       1 + CRC32(CONCAT('p', s.seq)) % {{n}},
       1 + s.seq % 12,
       (CRC32(CONCAT('u', s.seq)) % 100000) / 100,
       IF(s.seq % 3 = 0, (s.seq % 5000) / 100, NULL)
FROM seq_1_to_{{n}} AS s;

INSERT INTO payments
SELECT s.seq,
       1 + CRC32(CONCAT('o', s.seq)) % {{n}},
       ELT(1 + s.seq % 4, 'card', 'paypal', 'wire', 'cash'),
       (CRC32(CONCAT('a', s.seq)) % 10000000) / 100,
       IF(s.seq % 9 = 0, NULL,
          TIMESTAMP('2021-01-01') + INTERVAL (CRC32(CONCAT('t', s.seq)) % 94608000) SECOND),
       CONCAT_WS('-', SUBSTR(MD5(s.seq), 1, 8), SUBSTR(MD5(s.seq), 9, 4), SUBSTR(MD5(s.seq), 13, 4),
                 SUBSTR(MD5(s.seq), 17, 4), SUBSTR(MD5(s.seq), 21, 12))
FROM seq_1_to_{{n}} AS s;

ALTER TABLE orders      ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE order_items ADD CONSTRAINT fk_items_order     FOREIGN KEY (order_id)    REFERENCES orders (id),
                        ADD CONSTRAINT fk_items_product   FOREIGN KEY (product_id)  REFERENCES products (id);
ALTER TABLE payments    ADD CONSTRAINT fk_payments_order  FOREIGN KEY (order_id)    REFERENCES orders (id);
ANALYZE TABLE customers, products, orders, order_items, payments;
