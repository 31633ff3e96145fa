"""Lending: loans of books to members, due dates and late fines."""
