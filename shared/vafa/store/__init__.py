"""Data access: the single DynamoDB table, its PynamoDB models and the queries Vafa runs."""
