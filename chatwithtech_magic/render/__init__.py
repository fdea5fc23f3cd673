"""The edge where answers and failures become something a person sees."""
