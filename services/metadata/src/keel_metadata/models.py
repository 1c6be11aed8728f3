"""The declarative base of the metadata service's tables (each domain has its models.py)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
