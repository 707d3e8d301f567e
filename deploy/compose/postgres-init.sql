-- Runs once, when the postgres volume is created: the registry's database. (Riffle's own database,
-- `riffle`, is POSTGRES_DB; the migrate service applies its schema.)
CREATE DATABASE riffle_registry;
