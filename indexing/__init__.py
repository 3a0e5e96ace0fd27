"""Loading, cleaning, chunking, embedding and storing plan documents."""
