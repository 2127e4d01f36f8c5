"""Pure rules: complaints procedures, the working-day calendar and deadline arithmetic."""
