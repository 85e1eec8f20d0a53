using System.Security.Cryptography;
using System.Text;

namespace VoiceMesh.Testing;

/// <summary>
/// Signs a webhook the way Twilio does (HMAC-SHA1 over the URL and the form fields sorted by name), written
/// independently of the SDK's validator so tests check one against the other.
/// </summary>
public static class TwilioSignature
{
    public static string Compute(string authToken, string url, IEnumerable<KeyValuePair<string, string>> form)
    {
        var data = new StringBuilder(url);
        foreach (var group in form.GroupBy(f => f.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            foreach (var value in group.Select(f => f.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                data.Append(group.Key).Append(value);
            }
        }

#pragma warning disable CA5350 // Twilio's webhook signature is defined as HMAC-SHA1.
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
#pragma warning restore CA5350
    }

    /// <summary>A form POST signed for <paramref name="signedUrl"/>, to be sent wherever the request is addressed.</summary>
    public static HttpRequestMessage SignedPost(
        string authToken, string signedUrl, Uri requestUri, IReadOnlyList<KeyValuePair<string, string>> form, string? idempotencyToken = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, requestUri) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", Compute(authToken, signedUrl, form));
        if (idempotencyToken is not null)
        {
            request.Headers.Add("I-Twilio-Idempotency-Token", idempotencyToken);
        }

        return request;
    }
}
