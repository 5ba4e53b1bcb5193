"""Agora's domain apps. Each app owns one domain; another app may import only its `interface`."""
