"""Import of client records from Syriusz (PUP) and POMOST (OPS): CSV and JSON batches, streamed row by row."""
