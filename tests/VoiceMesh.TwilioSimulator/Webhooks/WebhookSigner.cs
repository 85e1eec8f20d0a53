using System.Security.Cryptography;
using System.Text;

namespace VoiceMesh.TwilioSimulator.Webhooks;

/// <summary>Twilio's <c>X-Twilio-Signature</c>: HMAC-SHA1 over the URL and the fields sorted ordinally (REFERENCE §1.1).</summary>
internal static class WebhookSigner
{
    public static string Sign(string authToken, string url, IEnumerable<KeyValuePair<string, string>> form)
    {
        var data = new StringBuilder(url);
        foreach (var (name, value) in form.OrderBy(f => f.Key, StringComparer.Ordinal).ThenBy(f => f.Value, StringComparer.Ordinal))
        {
            data.Append(name).Append(value);
        }

#pragma warning disable CA5350 // Twilio defines the webhook signature as HMAC-SHA1.
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
#pragma warning restore CA5350
    }
}
