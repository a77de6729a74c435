"""Domain names shared by every layer (pure): statuses and roles, as in the glossary."""
