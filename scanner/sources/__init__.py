"""The only code that reads files or git: each source yields Chunk or Skip."""
