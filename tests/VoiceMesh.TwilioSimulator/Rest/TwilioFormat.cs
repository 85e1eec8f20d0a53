using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace VoiceMesh.TwilioSimulator.Rest;

/// <summary>How Twilio writes things on the wire: RFC 2822 dates, snake_case JSON, prefixed SIDs.</summary>
internal static class TwilioFormat
{
    public const string ApiVersion = "2010-04-01";

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary><c>Tue, 14 Oct 2025 17:03:41 +0000</c>.</summary>
    public static string Rfc2822(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);

    public static string? Rfc2822(DateTimeOffset? time) => time is { } t ? Rfc2822(t) : null;

    /// <summary>A SID: two-letter prefix and 32 lowercase hex digits.</summary>
    public static string NewSid(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
