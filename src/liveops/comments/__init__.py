"""Comment intelligence (contract §11): what each comment wants, and the question queue."""
