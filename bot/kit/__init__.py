"""The conversation kit: typed actions, a validated state, screens and one runtime, with no
Telegram in it. Every conversation of the bot — the interview, coordination, reminders, the
check-up of a published report — is declared with it; the Telegram handlers (bot/handlers.py) and
the terminal (bot/console.py) feed it inputs and send what it returns.
"""
