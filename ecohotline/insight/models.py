"""Insight and proactive governance (举一反三、未诉先办): the key units registry, proposed patrol tasks and the
monthly theme."""
