"""A model of the ip-masq-agent: how it decodes, validates and applies its config file."""
