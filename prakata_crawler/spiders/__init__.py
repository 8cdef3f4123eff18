"""Spiders: discovery and routing only; extraction lives in the pipelines."""
