"""The only code that writes inventory data. Import the function you need from its module."""
