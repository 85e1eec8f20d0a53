using Microsoft.Extensions.Primitives;

namespace VoiceMesh.Gateway.Twilio;

/// <summary>A Twilio request whose signature checked out: its body, fields and the URL Twilio signed.</summary>
internal sealed record TwilioWebhook(string SignedUrl, byte[] RawBody, IReadOnlyDictionary<string, StringValues> Form)
{
    public string? Field(string name) =>
        Form.TryGetValue(name, out var value) && !StringValues.IsNullOrEmpty(value) ? value.ToString() : null;
}
