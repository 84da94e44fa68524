"""SQL scripts of the shared kernel (event store, outbox, projection bookkeeping)."""
