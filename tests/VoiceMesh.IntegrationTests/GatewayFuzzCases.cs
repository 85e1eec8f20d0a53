using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using CsCheck;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>What the gateway may answer a generated request, decided from how it was generated.</summary>
internal enum Verdict
{
    /// <summary>Well formed and signed: answered 204 and published.</summary>
    Accept,

    /// <summary>Broken in a way the gateway must refuse (a 4xx or a closed connection) and never publish.</summary>
    Reject,

    /// <summary>
    /// Signed, but mutated in a way whose verdict is the gateway's field rules' (an optional field removed, a value
    /// replaced): either answer is fine, and what it publishes is checked against what was sent.
    /// </summary>
    Either,
}

/// <summary>How a request's body is sent after its head.</summary>
internal enum Delivery
{
    Whole,

    /// <summary>All of it, then the sending half of the connection is shut: a body shorter than announced ends there.</summary>
    HalfClose,

    /// <summary>One byte at a time, slower than the gateway's minimum body rate.</summary>
    Trickle,
}

internal abstract record FuzzCase(string Description);

/// <summary>An HTTP/1.1 request written byte for byte on a connection of its own (<c>Connection: close</c>).</summary>
/// <param name="Token">The <c>I-Twilio-Idempotency-Token</c> it carries, which a published event names.</param>
/// <param name="Form">The form the gateway decodes from the body, as signed; null when nothing was signed.</param>
internal sealed record RawRequest(
    string Description, string Route, Verdict Verdict, byte[] Head, byte[] Body, Delivery Delivery, string? Token,
    IReadOnlyDictionary<string, StringValues>? Form) : FuzzCase(Description)
{
    public override string ToString()
    {
        var body = Body.Length > 1024 ? Escape(Body.AsSpan(0, 1024)) + $"... ({Body.Length} bytes)" : Escape(Body);
        return $"{Description} [{Verdict}, {Delivery}]\n{Escape(Head.AsSpan(0, Math.Min(Head.Length, 4096)))}{body}";
    }

    private static string Escape(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            text.Append(b is >= 0x20 and < 0x7F || b == '\n' ? ((char)b).ToString() : $"\\x{b:X2}");
        }

        return text.ToString();
    }
}

/// <summary>A WebSocket upgraded with a valid signature on <c>/twilio/media</c>, then these frames, then a close.</summary>
internal sealed record SocketSession(string Description, IReadOnlyList<SocketFrame> Frames) : FuzzCase(Description)
{
    public override string ToString() =>
        $"{Description}: " + string.Join(", ", Frames.Select(f => $"{f.Type} {f.Payload.Length} bytes"));
}

internal sealed record SocketFrame(WebSocketMessageType Type, byte[] Payload);

/// <summary>
/// The generators of the gateway's hostile input (issue 15): valid signed status webhooks for every route, the same
/// with one mutation each, broken HTTP framing written on raw sockets, slow bodies, and Media Streams WebSockets.
/// </summary>
internal static class GatewayFuzzCases
{
    public const string FormType = "application/x-www-form-urlencoded";

    /// <summary>The status-type webhook routes and the contract event each publishes (exchange names).</summary>
    public static IReadOnlyDictionary<string, string> Events { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["/twilio/voice/status"] = "VoiceMesh.Contracts.Calls:CallStatusCallbackReceived",
        ["/twilio/voice/amd"] = "VoiceMesh.Contracts.Calls:AnsweringMachineDetectionReceived",
        ["/twilio/conference/status"] = "VoiceMesh.Contracts.Conferences:ConferenceCallbackReceived",
        ["/twilio/recording/status"] = "VoiceMesh.Contracts.Recordings:RecordingCallbackReceived",
        ["/twilio/stream/status"] = "VoiceMesh.Contracts.MediaStreams:StreamStatusCallbackReceived",
    };

    /// <summary>The sid each route's event is keyed by (camelCase in the event), with its prefix.</summary>
    public static IReadOnlyDictionary<string, (string Field, string Prefix)> Keys { get; } = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        ["/twilio/voice/status"] = ("callSid", "CA"),
        ["/twilio/voice/amd"] = ("callSid", "CA"),
        ["/twilio/conference/status"] = ("conferenceSid", "CF"),
        ["/twilio/recording/status"] = ("recordingSid", "RE"),
        ["/twilio/stream/status"] = ("streamSid", "MZ"),
    };

    private static readonly Gen<string> Hex32 = Gen.String[Gen.Char["0123456789abcdef"], 32, 32];
    private static readonly Gen<string> Digits = Gen.Int[0, 99_999].Select(n => n.ToString(CultureInfo.InvariantCulture));
    private static readonly Gen<string> Timestamp = Gen.Int[0, 365 * 86_400].Select(s =>
        new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(s).ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture));
    private static readonly Gen<string> Phone = Gen.Int[0, 9_999_999].Select(n => "+1415" + n.ToString("D7", CultureInfo.InvariantCulture));
    private static readonly Gen<string> Bool = Gen.OneOf("true", "false");
    private static readonly Gen<string> Token = Hex32.Select(n => "fuzz-" + n);

    /// <summary>Any text at all: every UTF-16 code unit, lone surrogates included.</summary>
    private static readonly Gen<string> AnyText = Gen.String[Gen.Char, 0, 40];

    /// <summary>Text without control characters (printable ASCII and beyond, astral characters as pairs).</summary>
    private static readonly Gen<string> PrintableText = Gen.String[Gen.Char[" !\"#$%&'()*+,-./0123456789:;<=>?@AZaz[\\]^_`{|}~éß€中😀"], 0, 40];

    private static readonly Gen<char> ControlChar = Gen.OneOf(
        Gen.Char['\0', '\x1F'], Gen.Const('\x7F'), Gen.Char['\x80', '\x9F'], Gen.Const('\0'));

    /// <summary>Bytes a form body should not hold: invalid UTF-8 (raw and percent-encoded) and broken percent-escapes.</summary>
    private static readonly Gen<string> BadBytes = Gen.OneOf(
        "\xFF", "\xC3\x28", "\xED\xA0\x80", "\x80", "\xF8\x88\x80\x80\x80", "\xC0\xAF",
        "%", "%G1", "%4", "%%", "%ED%A0%80", "%FF", "%C0%80", "%C3%28", "%u0041", "%DBFF");

    public static Gen<Webhook> AnyWebhook { get; } = Gen.OneOf(CallStatus(), Amd(), Conference(), Recording(), Stream());

    /// <summary>The whole mix, weighted so a run of 10,000 has a few slow bodies and a few hundred WebSockets.</summary>
    public static Gen<FuzzCase> Any { get; } = Gen.Frequency<FuzzCase>(
        (200, Up(Valid())),
        (40, Up(ValidChunked())),
        (70, Up(RemovedField())),
        (60, Up(ControlCharacter())),
        (60, Up(ReplacedValue())),
        (50, Up(BrokenBytes())),
        (20, Up(HugeValue())),
        (30, Up(DuplicatedField())),
        (20, Up(ThousandsOfFields())),
        (20, Up(LongName())),
        (40, Up(WrongContentType())),
        (60, Up(WrongSignature())),
        (40, Up(WrongMethod())),
        (50, Up(HeaderInjection())),
        (25, Up(EnormousHeaders())),
        (60, Up(MalformedChunks())),
        (50, Up(ContentLengthMismatch())),
        (1, Up(SlowBody())),
        (15, Up(UnsignedUpgrade())),
        (30, Socket()));

    private static Gen<Webhook> CallStatus() =>
        from sid in Hex32
        from status in Gen.OneOf("queued", "initiated", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled")
        from sequence in Digits
        from timestamp in Timestamp
        from caller in Phone
        from callee in Phone
        from duration in Digits
        select new Webhook("/twilio/voice/status",
        [
            new("AccountSid", Mesh.AccountSid), new("ApiVersion", "2010-04-01"), new("CallSid", "CA" + sid),
            new("CallStatus", status), new("CallbackSource", "call-progress-events"), new("Direction", "outbound-api"),
            new("From", caller), new("To", callee), new("SequenceNumber", sequence), new("Timestamp", timestamp),
            new("CallDuration", duration),
        ], ["AccountSid", "CallSid", "CallStatus"]);

    private static Gen<Webhook> Amd() =>
        from sid in Hex32
        from answeredBy in Gen.OneOf("human", "machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax", "unknown")
        from duration in Digits
        select new Webhook("/twilio/voice/amd",
        [
            new("AccountSid", Mesh.AccountSid), new("CallSid", "CA" + sid), new("AnsweredBy", answeredBy),
            new("MachineDetectionDuration", duration),
        ], ["AccountSid", "CallSid", "AnsweredBy"]);

    private static Gen<Webhook> Conference() =>
        from sid in Hex32
        from callSid in Hex32
        from name in Gen.String.AlphaNumeric.Where(n => n.Length is > 0 and <= 64)
        from callbackEvent in Gen.OneOf("conference-start", "conference-end", "participant-join", "participant-leave", "participant-mute", "participant-hold")
        from sequence in Digits
        from timestamp in Timestamp
        from muted in Bool
        from hold in Bool
        select new Webhook("/twilio/conference/status",
        [
            new("AccountSid", Mesh.AccountSid), new("ConferenceSid", "CF" + sid), new("FriendlyName", name),
            new("StatusCallbackEvent", callbackEvent), new("CallSid", "CA" + callSid), new("SequenceNumber", sequence),
            new("Timestamp", timestamp), new("Muted", muted), new("Hold", hold), new("Coaching", "false"),
        ], callbackEvent.StartsWith("participant-", StringComparison.Ordinal)
            ? ["AccountSid", "ConferenceSid", "FriendlyName", "StatusCallbackEvent", "CallSid"]
            : ["AccountSid", "ConferenceSid", "FriendlyName", "StatusCallbackEvent"]);

    private static Gen<Webhook> Recording() =>
        from sid in Hex32
        from callSid in Hex32
        from status in Gen.OneOf("in-progress", "paused", "stopped", "processing", "completed", "absent", "deleted", "failed")
        from duration in Digits
        from channels in Gen.OneOf("1", "2")
        select new Webhook("/twilio/recording/status",
        [
            new("AccountSid", Mesh.AccountSid), new("CallSid", "CA" + callSid), new("RecordingSid", "RE" + sid),
            new("RecordingStatus", status), new("RecordingUrl", $"https://api.twilio.com/2010-04-01/Accounts/{Mesh.AccountSid}/Recordings/RE{sid}"),
            new("RecordingDuration", duration), new("RecordingChannels", channels), new("RecordingSource", "RecordVerb"),
        ], ["AccountSid", "RecordingSid", "RecordingStatus"]);

    private static Gen<Webhook> Stream() =>
        from sid in Hex32
        from callSid in Hex32
        from streamEvent in Gen.OneOf("stream-started", "stream-stopped", "stream-error")
        from name in Gen.String.AlphaNumeric
        from timestamp in Timestamp
        select new Webhook("/twilio/stream/status",
        [
            new("AccountSid", Mesh.AccountSid), new("CallSid", "CA" + callSid), new("StreamSid", "MZ" + sid),
            new("StreamEvent", streamEvent), new("StreamName", name), new("Timestamp", timestamp),
        ], ["AccountSid", "CallSid", "StreamSid", "StreamEvent"]);

    private static Gen<RawRequest> Valid() =>
        from webhook in AnyWebhook
        from token in Token
        select Post.Of(webhook, token).Raw("valid " + webhook.Route, Verdict.Accept);

    private static Gen<RawRequest> ValidChunked() =>
        from webhook in AnyWebhook
        from token in Token
        from size in Gen.Int[1, 300]
        select (Post.Of(webhook, token) with { ChunkSize = size }).Raw($"valid {webhook.Route}, chunks of {size}", Verdict.Accept);

    private static Gen<RawRequest> RemovedField() =>
        from webhook in AnyWebhook
        from token in Token
        from index in Gen.Int[0, 100]
        let name = webhook.Fields[index % webhook.Fields.Count].Key
        select Post.Of(webhook with { Fields = [.. webhook.Fields.Where(f => f.Key != name)] }, token)
            .Raw($"{webhook.Route} without {name}", webhook.Required.Contains(name) ? Verdict.Reject : Verdict.Either);

    private static Gen<RawRequest> ControlCharacter() =>
        from webhook in AnyWebhook
        from token in Token
        from index in Gen.Int[0, 100]
        from text in PrintableText
        from control in ControlChar
        from at in Gen.Int[0, 40]
        from inName in Gen.Int[0, 4]
        let field = webhook.Fields[index % webhook.Fields.Count]
        let hostile = text.Insert(Math.Min(at, text.Length), control.ToString())
        select Post.Of(webhook.Replace(field.Key, inName == 0 ? new(field.Key + hostile, field.Value) : new(field.Key, hostile)), token)
            .Raw($"{webhook.Route} with U+{(int)control:X4} in {field.Key}{(inName == 0 ? "'s name" : "")}", Verdict.Reject);

    private static Gen<RawRequest> ReplacedValue() =>
        from webhook in AnyWebhook
        from token in Token
        from index in Gen.Int[0, 100]
        from value in Gen.OneOf(AnyText, PrintableText, Gen.Const(""))
        let field = webhook.Fields[index % webhook.Fields.Count]
        select Post.Of(webhook.Replace(field.Key, new(field.Key, value)), token)
            .Raw($"{webhook.Route} with {field.Key} replaced", value.Any(char.IsControl) || value.Length == 0 && webhook.Required.Contains(field.Key) ? Verdict.Reject : Verdict.Either);

    /// <summary>Invalid UTF-8 or percent-escapes in a value, as bytes: signed over what the gateway decodes from them.</summary>
    private static Gen<RawRequest> BrokenBytes() =>
        from webhook in AnyWebhook
        from token in Token
        from index in Gen.Int[0, 100]
        from bad in BadBytes
        from inName in Gen.Bool
        let field = webhook.Fields[index % webhook.Fields.Count]
        let body = Encoding.Latin1.GetBytes(string.Join('&', webhook.Fields.Select(f => f.Key == field.Key
            ? (inName ? Encode(f.Key) + bad : Encode(f.Key)) + "=" + (inName ? Encode(f.Value) : Encode(f.Value) + bad)
            : Encode(f.Key) + "=" + Encode(f.Value))))
        select new Post(webhook.Route, body, token).Raw($"{webhook.Route} with bytes {Printable(bad)} in {field.Key}{(inName ? "'s name" : "")}", Verdict.Either);

    private static Gen<RawRequest> HugeValue() =>
        from webhook in AnyWebhook
        from token in Token
        from index in Gen.Int[0, 100]
        from size in Gen.OneOf(Gen.Int[65 * 1024, 300 * 1024], Gen.Int[1024, 40 * 1024])
        let field = webhook.Fields[index % webhook.Fields.Count]
        select Post.Of(webhook.Replace(field.Key, new(field.Key, new string('9', size))), token)
            .Raw($"{webhook.Route} with a {size}-character {field.Key}", size > 64 * 1024 ? Verdict.Reject : Verdict.Either);

    private static Gen<RawRequest> DuplicatedField() =>
        from webhook in AnyWebhook
        from token in Token
        from index in Gen.Int[0, 100]
        from copies in Gen.Int[1, 5]
        from other in Gen.OneOf(Gen.Const((string?)null), PrintableText.Select(t => (string?)t))
        let field = webhook.Fields[index % webhook.Fields.Count]
        select Post.Of(webhook with { Fields = [.. webhook.Fields, .. Enumerable.Repeat(new KeyValuePair<string, string>(field.Key, other ?? field.Value), copies)] }, token)
            .Raw($"{webhook.Route} with {field.Key} {copies + 1} times{(other is null ? "" : ", values differing")}", Verdict.Either);

    private static Gen<RawRequest> ThousandsOfFields() =>
        from webhook in AnyWebhook
        from token in Token
        from count in Gen.Int[300, 5000]
        select Post.Of(webhook with { Fields = [.. webhook.Fields, .. Enumerable.Range(0, count).Select(i => new KeyValuePair<string, string>($"F{i}", "1"))] }, token)
            .Raw($"{webhook.Route} with {count} more fields", Verdict.Reject);

    private static Gen<RawRequest> LongName() =>
        from webhook in AnyWebhook
        from token in Token
        from length in Gen.Int[129, 100_000]
        select Post.Of(webhook with { Fields = [.. webhook.Fields, new(new string('N', length), "1")] }, token)
            .Raw($"{webhook.Route} with a {length}-character field name", Verdict.Reject);

    private static Gen<RawRequest> WrongContentType() =>
        from webhook in AnyWebhook
        from token in Token
        from type in Gen.OneOf<string?>(null, "", "application/json", "text/plain", "multipart/form-data; boundary=x",
            "application/x-www-form-urlencodedx", "application/xml", "form", "*/*", "application/x-www-form", "text/x-www-form-urlencoded")
        select (Post.Of(webhook, token) with { ContentType = type }).Raw($"{webhook.Route} as '{type ?? "(no content type)"}'", Verdict.Reject);

    private static Gen<RawRequest> WrongSignature() =>
        from webhook in AnyWebhook
        from token in Token
        from kind in Gen.Int[0, 6]
        from noise in Gen.String[Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="], 0, 40]
        let post = Post.Of(webhook, token)
        let signature = kind switch
        {
            0 => null,
            1 => "",
            2 => noise,
            3 => TwilioSignature.Compute("not-the-token", Mesh.PublicBaseUrl + webhook.Route, webhook.Fields),
            4 => TwilioSignature.Compute(Mesh.AuthToken, "http://voice.example.test" + webhook.Route, webhook.Fields),
            5 => TwilioSignature.Compute(Mesh.AuthToken, Mesh.PublicBaseUrl + "/twilio/voice/status/", webhook.Fields),
            _ => TwilioSignature.Compute(Mesh.AuthToken, Mesh.PublicBaseUrl + webhook.Route, [.. webhook.Fields.Skip(1)]),
        }
        select (post with { Signature = signature }).Raw($"{webhook.Route} with signature kind {kind}", Verdict.Reject);

    private static Gen<RawRequest> WrongMethod() =>
        from webhook in AnyWebhook
        from token in Token
        from method in Gen.OneOf("GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "post", "Post", "TRACE", "FOO")
        select (Post.Of(webhook, token) with { Method = method }).Raw($"{webhook.Route} as {method}", Verdict.Reject);

    /// <summary>CR, LF or NUL inside a header value of an otherwise valid request: Kestrel refuses or reads it as two headers.</summary>
    private static Gen<RawRequest> HeaderInjection() =>
        from webhook in AnyWebhook
        from token in Token
        from header in Gen.OneOf("Host", "User-Agent", "Content-Type", "X-Twilio-Signature")
        from injected in Gen.OneOf("\r", "\n", "\r\n", "\0", "\r\nX-Injected: 1", "\nX-Injected: 1", "\r\n folded", "\r\nno-colon", "\r\n\r\n", "\rX-Injected: 1")
        select (Post.Of(webhook, token) with { Injection = (header, injected) })
            .Raw($"{webhook.Route} with {Printable(injected)} in {header}", Verdict.Either);

    private static Gen<RawRequest> EnormousHeaders() =>
        from webhook in AnyWebhook
        from token in Token
        from kind in Gen.Int[0, 3]
        from size in Gen.Int[33 * 1024, 200 * 1024]
        from count in Gen.Int[101, 2000]
        select (Post.Of(webhook, token) with
        {
            Extra = kind switch
            {
                0 => [("X-Big", new string('h', size))],
                1 => [.. Enumerable.Range(0, count).Select(i => ($"X-H{i}", "v"))],
                2 => [(new string('n', size), "v")],
                _ => [("X-Twilio-Signature", new string('s', size))],
            },
        }).Raw($"{webhook.Route} with enormous headers (kind {kind}, {size} bytes, {count} headers)", Verdict.Reject);

    /// <summary>
    /// Chunked bodies broken in the size, the data's end, the terminating chunk or the trailers. An extension with a
    /// control character, bare LF line ends and a trailer without a colon are framing Kestrel may tolerate: the
    /// signed form inside is then the valid one.
    /// </summary>
    private static Gen<RawRequest> MalformedChunks() =>
        from webhook in AnyWebhook
        from token in Token
        from kind in Gen.Int[0, 8]
        let body = Post.Of(webhook, token).Body
        let head = Post.Of(webhook, token) with { ChunkSize = 0 }
        let hex = body.Length.ToString("x", CultureInfo.InvariantCulture)
        let chunks = kind switch
        {
            0 => "zz\r\n" + Encoding.Latin1.GetString(body) + "\r\n0\r\n\r\n",
            1 => "ffffffffffffffffffff\r\n" + Encoding.Latin1.GetString(body) + "\r\n0\r\n\r\n",
            2 => hex + "\r\n" + Encoding.Latin1.GetString(body) + "XY0\r\n\r\n",
            3 => hex + "\r\n" + Encoding.Latin1.GetString(body) + "\r\n",
            4 => (body.Length + 100).ToString("x", CultureInfo.InvariantCulture) + "\r\n" + Encoding.Latin1.GetString(body),
            5 => hex + ";ext=\x01\r\n" + Encoding.Latin1.GetString(body) + "\r\n0\r\n\r\n",
            6 => "-" + hex + "\r\n" + Encoding.Latin1.GetString(body) + "\r\n0\r\n\r\n",
            7 => hex + "\n" + Encoding.Latin1.GetString(body) + "\n0\n\n",
            _ => hex + "\r\n" + Encoding.Latin1.GetString(body) + "\r\n0\r\nBad trailer\r\n\r\n",
        }
        select new RawRequest($"{webhook.Route}, malformed chunks kind {kind}", webhook.Route, kind is 5 or 7 or 8 ? Verdict.Either : Verdict.Reject,
            head.HeadBytes(), Encoding.Latin1.GetBytes(chunks), Delivery.HalfClose, token, Decode(body));

    private static Gen<RawRequest> ContentLengthMismatch() =>
        from webhook in AnyWebhook
        from token in Token
        from kind in Gen.Int[0, 5]
        from delta in Gen.Int[1, 50]
        let post = Post.Of(webhook, token)
        let length = kind switch
        {
            0 => (post.Body.Length + delta).ToString(CultureInfo.InvariantCulture),
            1 => Math.Max(0, post.Body.Length - delta).ToString(CultureInfo.InvariantCulture),
            2 => "-1",
            3 => "abc",
            4 => $"{post.Body.Length}, {post.Body.Length + delta}",
            _ => "99999999999999999999999",
        }
        select new RawRequest($"{webhook.Route} with Content-Length '{length}' for {post.Body.Length} bytes", webhook.Route, Verdict.Reject,
            (post with { ContentLength = length }).HeadBytes(), post.Body, Delivery.HalfClose, token, null);

    private static Gen<RawRequest> SlowBody() =>
        from webhook in AnyWebhook
        from token in Token
        let post = Post.Of(webhook, token)
        select new RawRequest($"{webhook.Route} trickled a byte at a time", webhook.Route, Verdict.Reject,
            (post with { ContentLength = "2000" }).HeadBytes(), post.Body, Delivery.Trickle, token, null);

    private static Gen<RawRequest> UnsignedUpgrade() =>
        from kind in Gen.Int[0, 3]
        from noise in Gen.String.AlphaNumeric
        let signature = kind switch
        {
            0 => null,
            1 => noise,
            2 => TwilioSignature.Compute("not-the-token", MediaStreamMesh.StreamUrl, []),
            _ => TwilioSignature.Compute(Mesh.AuthToken, "https://voice.example.test/twilio/media", []),
        }
        select new RawRequest($"/twilio/media upgrade with signature kind {kind}", "/twilio/media", Verdict.Reject, Encoding.Latin1.GetBytes(
            "GET /twilio/media HTTP/1.1\r\nHost: voice.example.test\r\nConnection: Upgrade, close\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + (signature is null ? "" : $"X-Twilio-Signature: {signature}\r\n") + "\r\n"), [], Delivery.Whole, null, null);

    private static Gen<SocketFrame> Frame() => Gen.OneOf(
        Gen.Byte.Array[0, 2000].Select(b => new SocketFrame(WebSocketMessageType.Binary, b)),
        Gen.Int[16 * 1024 + 1, 64 * 1024].Select(n => new SocketFrame(WebSocketMessageType.Text, Encoding.ASCII.GetBytes(new string('A', n)))),
        AnyText.Select(t => new SocketFrame(WebSocketMessageType.Text, Encoding.UTF8.GetBytes(t))),
        BadBytes.Select(b => new SocketFrame(WebSocketMessageType.Text, Encoding.Latin1.GetBytes("{\"event\":\"" + b + "\"}"))),
        Gen.OneOf(
            """{"event":"connected","protocol":"Call","version":"1.0.0"}""",
            """{"event":"media","media":{"payload":"!!!"},"streamSid":"x"}""",
            """{"event":"start","start":{"streamSid":7,"tracks":"inbound"}}""",
            """{"event":"stop","stop":{},"streamSid":null}""",
            """{"event":""" + new string('[', 5000),
            "null", "[]", "{}").Select(t => new SocketFrame(WebSocketMessageType.Text, Encoding.UTF8.GetBytes(t))));

    private static Gen<FuzzCase> Up(Gen<RawRequest> requests) => requests.Select(r => (FuzzCase)r);

    private static Gen<FuzzCase> Socket() =>
        Frame().Array[1, 5].Select(frames => (FuzzCase)new SocketSession("/twilio/media with hostile frames", frames));

    /// <summary>Percent-encodes UTF-8 as a form does (a lone surrogate becomes U+FFFD's bytes).</summary>
    internal static string Encode(string value)
    {
        var text = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            text.Append(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~' ? ((char)b).ToString() : $"%{b:X2}");
        }

        return text.ToString();
    }

    /// <summary>What the gateway decodes from a form body: the same reader, so the signature covers what it checks.</summary>
    internal static Dictionary<string, StringValues> Decode(byte[] body)
    {
        using var reader = new FormReader(new MemoryStream(body)) { ValueCountLimit = int.MaxValue, KeyLengthLimit = int.MaxValue, ValueLengthLimit = int.MaxValue };
        return reader.ReadForm();
    }

    private static string Printable(string text) =>
        string.Concat(text.Select(c => c is >= ' ' and < '\x7F' ? c.ToString() : $"\\x{(int)c:X2}"));
}

/// <summary>A status webhook as Twilio sends it, and the fields it cannot do without.</summary>
internal sealed record Webhook(string Route, List<KeyValuePair<string, string>> Fields, IReadOnlyCollection<string> Required)
{
    public Webhook Replace(string name, KeyValuePair<string, string> field) =>
        this with { Fields = [.. Fields.Select(f => f.Key == name ? field : f)] };
}

/// <summary>A webhook POST being shaped: every part can be replaced before its bytes are written.</summary>
internal sealed record Post(string Route, byte[] Body, string Token)
{
    public string Method { get; init; } = "POST";

    public string? ContentType { get; init; } = GatewayFuzzCases.FormType;

    /// <summary>X-Twilio-Signature; by default the correct one for the body as the gateway decodes it.</summary>
    public string? Signature { get; init; } = Sign(Route, Body);

    /// <summary>Chunked transfer coding with chunks of this size (0: the caller writes the chunks); null sends a Content-Length.</summary>
    public int? ChunkSize { get; init; }

    /// <summary>The Content-Length header's value, when it is not the body's length.</summary>
    public string? ContentLength { get; init; }

    public IReadOnlyList<(string Name, string Value)> Extra { get; init; } = [];

    /// <summary>Text appended inside one header's value.</summary>
    public (string Header, string Text)? Injection { get; init; }

    public static Post Of(Webhook webhook, string token) => new(
        webhook.Route,
        Encoding.ASCII.GetBytes(string.Join('&', webhook.Fields.Select(f => GatewayFuzzCases.Encode(f.Key) + "=" + GatewayFuzzCases.Encode(f.Value)))),
        token);

    public static string Sign(string route, byte[] body) => TwilioSignature.Compute(
        Mesh.AuthToken, Mesh.PublicBaseUrl + route,
        GatewayFuzzCases.Decode(body).SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? ""))));

    public RawRequest Raw(string description, Verdict verdict)
    {
        var body = ChunkSize is { } size && size > 0 ? Chunked(Body, size) : Body;
        return new RawRequest(description, Route, verdict, HeadBytes(), body, Delivery.Whole, Token, GatewayFuzzCases.Decode(Body));
    }

    public byte[] HeadBytes()
    {
        var headers = new List<(string Name, string Value)> { ("Host", "voice.example.test"), ("Connection", "close"), ("User-Agent", "TwilioProxy/1.1") };
        if (ContentType is not null)
        {
            headers.Add(("Content-Type", ContentType));
        }

        headers.Add(ChunkSize is not null ? ("Transfer-Encoding", "chunked") : ("Content-Length", ContentLength ?? Body.Length.ToString(CultureInfo.InvariantCulture)));
        if (Signature is not null)
        {
            headers.Add(("X-Twilio-Signature", Signature));
        }

        headers.Add(("I-Twilio-Idempotency-Token", Token));
        headers.AddRange(Extra);
        var head = new StringBuilder($"{Method} {Route} HTTP/1.1\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value);
            if (Injection is { } injection && injection.Header == name)
            {
                head.Append(injection.Text);
            }

            head.Append("\r\n");
        }

        return Encoding.Latin1.GetBytes(head.Append("\r\n").ToString());
    }

    private static byte[] Chunked(byte[] body, int size)
    {
        var chunked = new MemoryStream();
        foreach (var chunk in body.Chunk(size))
        {
            chunked.Write(Encoding.ASCII.GetBytes(chunk.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
            chunked.Write(chunk);
            chunked.Write("\r\n"u8);
        }

        chunked.Write("0\r\n\r\n"u8);
        return chunked.ToArray();
    }
}
