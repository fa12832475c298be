-- (Re)creates the empty `orders` source table of the sync benchmark in MariaDB.
CREATE DATABASE IF NOT EXISTS `{{db}}` DEFAULT CHARACTER SET utf8mb4;
DROP TABLE IF EXISTS `{{db}}`.orders;
CREATE TABLE `{{db}}`.orders (
  id          BIGINT        NOT NULL PRIMARY KEY,
  customer_id INT           NOT NULL,
  name        VARCHAR(64)   NOT NULL,
  amount      DECIMAL(12,2) NOT NULL,
  created_at  DATETIME      NOT NULL,
  status      TINYINT       NOT NULL,
  note        TEXT          NULL,
  attrs       VARCHAR(255)  NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
