namespace VoiceMesh.Gateway.Twilio;

/// <summary>
/// Measures an <c>application/x-www-form-urlencoded</c> body as bytes, before it is parsed: how many fields it has
/// and how long its longest name is (encoded, so never shorter than decoded). A body within the limits cannot make
/// the form parser throw, so an oversized form is refused with a 4xx instead of failing inside the parser.
/// </summary>
internal readonly record struct WebhookForm(int Fields, int LongestName)
{
    public static WebhookForm Measure(ReadOnlySpan<byte> body)
    {
        var fields = 0;
        var longest = 0;
        foreach (var range in body.Split((byte)'&'))
        {
            var field = body[range];
            if (field.IsEmpty)
            {
                continue;
            }

            fields++;
            var equals = field.IndexOf((byte)'=');
            longest = Math.Max(longest, equals < 0 ? field.Length : equals);
        }

        return new WebhookForm(fields, longest);
    }
}
