using System.Security.Cryptography;
using System.Text;

namespace VoiceMesh.Gateway.Twilio;

/// <summary>
/// Every retry of one webhook must publish under one message id, so consumers can drop the repeats.
/// Twilio's <c>I-Twilio-Idempotency-Token</c> names the webhook; without it, the signed URL and body do.
/// </summary>
internal static class WebhookIdempotency
{
    public const string Header = "I-Twilio-Idempotency-Token";

    public static string Key(HttpRequest request, TwilioWebhook webhook)
    {
        if (request.Headers[Header] is { Count: > 0 } token && !string.IsNullOrWhiteSpace(token))
        {
            return token.ToString();
        }

        var url = Encoding.UTF8.GetBytes(webhook.SignedUrl + "\n");
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData([.. url, .. webhook.RawBody]));
    }

    /// <summary>A name-based (version 5 style) GUID: the same key always gives the same id.</summary>
    public static Guid MessageId(string key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes("voicemesh-webhook:" + key), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
