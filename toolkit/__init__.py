"""SpeechMap datasets toolkit."""
