"""Forms, one module per views module."""
