using System.Collections.Frozen;
using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace VoiceMesh.TwilioSimulator.TwimlRuntime;

/// <summary>A TwiML failure with Twilio's error code: 11200, 12100, 12200 or 12300.</summary>
internal sealed record TwimlError(int Code, string Message);

/// <summary>
/// Parses a TwiML voice document and checks it against the schema rules the simulator knows (REFERENCE §9): the
/// root is <c>&lt;Response&gt;</c> (12100 otherwise), verbs are known, nesting is legal and attribute values are in
/// range (12200 otherwise). The whole document is checked before any verb runs.
/// </summary>
internal static class TwimlParser
{
    /// <summary>Verbs the engine executes.</summary>
    public static readonly FrozenSet<string> Executed = FrozenSet.Create(
        StringComparer.Ordinal, "Say", "Play", "Pause", "Gather", "Redirect", "Hangup", "Reject", "Dial", "Enqueue", "Leave", "Record", "Start", "Connect");

    /// <summary>Valid verbs that are logged and skipped.</summary>
    public static readonly FrozenSet<string> NotSimulated = FrozenSet.Create(
        StringComparer.Ordinal, "Stop", "Pay", "Prompt", "Refer", "Sms", "Echo");

    private static readonly FrozenSet<string> Nouns = FrozenSet.Create(
        StringComparer.Ordinal, "Number", "Client", "Sip", "Conference", "Queue", "Application", "Sim", "WhatsApp", "Stream",
        "Siprec", "Transcription", "Parameter", "Identity", "Task", "Room", "Recording", "ConversationRelay", "VirtualAgent");

    private static readonly FrozenSet<string> DialNouns = FrozenSet.Create(
        StringComparer.Ordinal, "Number", "Client", "Sip", "Conference", "Queue", "Application", "Sim", "WhatsApp");

    private static readonly FrozenSet<string> StartNouns = FrozenSet.Create(StringComparer.Ordinal, "Stream", "Siprec", "Transcription", "Recording");

    private static readonly FrozenSet<string> ConnectNouns = FrozenSet.Create(
        StringComparer.Ordinal, "Stream", "Room", "ConversationRelay", "ConversationRelaySession", "VirtualAgent", "Conversation", "Assistant",
        "AiSession", "Autopilot");

    private static readonly FrozenSet<string> GatherChildren = FrozenSet.Create(StringComparer.Ordinal, "Say", "Play", "Pause");

    private static readonly FrozenSet<string> Methods = FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "GET", "POST");

    private static readonly FrozenSet<string> Booleans = FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "true", "false");

    private static readonly FrozenSet<string> DialRecord = FrozenSet.Create(
        StringComparer.Ordinal, "do-not-record", "record-from-answer", "record-from-ringing", "record-from-answer-dual",
        "record-from-ringing-dual", "true", "false");

    public static (IReadOnlyList<XElement>? Verbs, TwimlError? Error) Parse(string? body)
    {
        XDocument document;
        try
        {
            document = XDocument.Parse(body ?? "", LoadOptions.None);
        }
        catch (XmlException e)
        {
            return (null, new TwimlError(12100, $"Document parse failure: {e.Message}"));
        }

        if (document.Root is not { Name.LocalName: "Response", Name.NamespaceName: "" } root)
        {
            return (null, new TwimlError(12100, $"Document parse failure: the root element is <{document.Root?.Name.LocalName}>, not <Response>"));
        }

        var verbs = root.Elements().ToList();
        foreach (var verb in verbs)
        {
            if (ValidateVerb(verb) is { } message)
            {
                return (null, new TwimlError(12200, $"Schema validation warning: {message}"));
            }
        }

        return (verbs, null);
    }

    private static string? ValidateVerb(XElement verb)
    {
        var name = verb.Name.LocalName;
        if (NotSimulated.Contains(name))
        {
            return null;
        }

        if (!Executed.Contains(name))
        {
            return Nouns.Contains(name) ? $"<{name}> is a noun, not a verb" : $"<{name}> is not a TwiML verb";
        }

        return ValidateAttributes(verb) ?? name switch
        {
            "Say" => verb.Elements().FirstOrDefault(e => char.IsUpper(e.Name.LocalName[0])) is { } child
                ? Nested(child, verb) : null,
            "Gather" => verb.Elements().FirstOrDefault(e => !GatherChildren.Contains(e.Name.LocalName)) is { } child
                ? Nested(child, verb)
                : verb.Elements().Select(ValidateVerb).FirstOrDefault(m => m is not null),
            "Dial" => verb.Elements().FirstOrDefault(e => !DialNouns.Contains(e.Name.LocalName)) is { } child
                ? Nested(child, verb)
                : verb.Elements().SelectMany(e => e.Elements()).FirstOrDefault(e => Executed.Contains(e.Name.LocalName)) is { } inner
                    ? Nested(inner, inner.Parent!)
                    : verb.Elements().Select(ValidateAttributes).FirstOrDefault(m => m is not null),
            "Enqueue" => verb.Elements().FirstOrDefault(e => e.Name.LocalName != "Task") is { } child ? Nested(child, verb) : null,
            "Redirect" when string.IsNullOrWhiteSpace(verb.Value) => "<Redirect> needs a URL",
            "Start" => verb.Elements().FirstOrDefault(e => !StartNouns.Contains(e.Name.LocalName)) is { } child
                ? Nested(child, verb) : verb.Elements("Stream").Select(s => ValidateStream(s, connect: false)).FirstOrDefault(m => m is not null),
            "Connect" => verb.Elements().FirstOrDefault(e => !ConnectNouns.Contains(e.Name.LocalName)) is { } child
                ? Nested(child, verb) : verb.Elements("Stream").Select(s => ValidateStream(s, connect: true)).FirstOrDefault(m => m is not null),
            _ => verb.Elements().FirstOrDefault() is { } child ? Nested(child, verb) : null,
        };
    }

    /// <summary>A <c>&lt;Stream&gt;</c>: a <c>wss://</c> <c>url</c> (Twilio's error 31922 otherwise), a known <c>track</c> (only <c>inbound_track</c>
    /// on a two-way <c>&lt;Connect&gt;</c> stream) and only named <c>&lt;Parameter&gt;</c> children.</summary>
    private static string? ValidateStream(XElement stream, bool connect)
    {
        var url = stream.Attribute("url")?.Value;
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "wss")
        {
            return $"<Stream url=\"{url}\"> must be a wss:// URL (31922)";
        }

        var track = stream.Attribute("track")?.Value;
        if (track is not null && (connect ? track != "inbound_track" : !MediaStreams.StreamTracks.All.Contains(track)))
        {
            return $"<Stream track=\"{track}\"> is out of range";
        }

        return stream.Elements().FirstOrDefault(e => e.Name.LocalName != "Parameter") is { } child
            ? Nested(child, stream)
            : stream.Elements().Any(p => string.IsNullOrEmpty(p.Attribute("name")?.Value)) ? "<Parameter> needs a name" : ValidateAttributes(stream);
    }

    private static string Nested(XElement child, XElement parent) => $"<{child.Name.LocalName}> cannot be nested in <{parent.Name.LocalName}>";

    private static string? ValidateAttributes(XElement element)
    {
        foreach (var attribute in element.Attributes())
        {
            var valid = (element.Name.LocalName, attribute.Name.LocalName) switch
            {
                (_, "method" or "waitUrlMethod" or "waitMethod" or "recordingStatusCallbackMethod" or "statusCallbackMethod") => Methods.Contains(attribute.Value),
                ("Say" or "Play", "loop") => IsCount(attribute.Value, 0),
                ("Pause", "length") => IsCount(attribute.Value, 0),
                ("Gather", "timeout") => IsCount(attribute.Value, 0),
                ("Gather", "numDigits" or "maxSpeechTime") => IsCount(attribute.Value, 1),
                ("Gather", "input") => attribute.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } tokens
                    && tokens.All(t => t is "dtmf" or "speech"),
                ("Gather", "finishOnKey") => attribute.Value.Length == 0 || (attribute.Value.Length == 1 && IsKey(attribute.Value[0])),
                ("Gather", "speechTimeout") => attribute.Value == "auto" || IsCount(attribute.Value, 0),
                ("Gather", "actionOnEmptyResult" or "bargeIn" or "profanityFilter" or "enhanced" or "debug") => Booleans.Contains(attribute.Value),
                ("Dial", "timeout") => IsCount(attribute.Value, 0),
                ("Dial", "timeLimit") => IsCount(attribute.Value, 1),
                ("Dial", "record") => DialRecord.Contains(attribute.Value),
                ("Dial", "answerOnBridge" or "hangupOnStar" or "sequential") => Booleans.Contains(attribute.Value),
                ("Conference", "muted" or "startConferenceOnEnter" or "endConferenceOnExit") => Booleans.Contains(attribute.Value),
                ("Record", "maxLength") => IsCount(attribute.Value, 1),
                ("Record", "timeout") => IsCount(attribute.Value, 0),
                ("Record", "finishOnKey") => attribute.Value.All(IsKey),
                ("Record", "playBeep" or "transcribe") => Booleans.Contains(attribute.Value),
                ("Record", "trim") => attribute.Value is "trim-silence" or "do-not-trim",
                ("Reject", "reason") => attribute.Value is "rejected" or "busy",
                ("Enqueue", "maxQueueSize") => IsCount(attribute.Value, 1) && Count(attribute.Value) <= 5000,
                _ => true,
            };
            if (!valid)
            {
                return $"<{element.Name.LocalName} {attribute.Name.LocalName}=\"{attribute.Value}\"> is out of range";
            }
        }

        return null;
    }

    private static bool IsKey(char c) => c is (>= '0' and <= '9') or '#' or '*';

    private static bool IsCount(string value, int minimum) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= minimum;

    /// <summary>An attribute already validated as a count.</summary>
    public static int Count(string value) => int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
}
