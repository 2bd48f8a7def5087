"""schemathesis hooks for matter-ca: EST bodies are base64 text under application/pkcs10."""
import schemathesis


@schemathesis.serializer("application/pkcs10")
def pkcs10(ctx, value):
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")
