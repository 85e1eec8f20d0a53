using System.Collections.Frozen;
using System.Globalization;
using VoiceMesh.TwilioSimulator.Recordings;
using VoiceMesh.TwilioSimulator.Rest;

namespace VoiceMesh.TwilioSimulator.Conferences;

/// <summary>
/// What the participant that creates a room fixes for the whole conference (REFERENCE §3.1): its status callbacks,
/// whether it is recorded from the start, with that recording's status callbacks, and how many may be in it.
/// </summary>
internal sealed record ConferenceSettings(
    string? StatusCallback, string StatusCallbackMethod, IReadOnlySet<string> Events, bool Record, RecordingCallbacks? RecordingCallbacks,
    int MaxParticipants)
{
    /// <summary>Twilio's default and upper bound for <c>MaxParticipants</c>.</summary>
    public const int Largest = 250;

    private static readonly FrozenSet<string> RecordingEvents =
        FrozenSet.Create(StringComparer.Ordinal, SimRecording.InProgress, SimRecording.Completed, SimRecording.Absent);

    /// <summary>Twilio's defaults: no callbacks, not recorded.</summary>
    public static ConferenceSettings Default { get; } =
        new(null, "POST", FrozenSet.Create(StringComparer.Ordinal, "start", "end"), Record: false, RecordingCallbacks: null, Largest);

    /// <summary>
    /// Reads the settings, named as Participants create names them (<c>ConferenceStatusCallback</c>, <c>ConferenceRecord</c>,
    /// <c>ConferenceRecordingStatusCallback</c>, ...) when <paramref name="rest"/>, else as TwiML attributes
    /// (<c>statusCallback</c>, <c>record</c>, <c>recordingStatusCallback</c>, ...), plus <c>MaxParticipants</c>
    /// (<c>maxParticipants</c>, 2–250). Event lists are repeated or space-separated. An invalid <c>record</c>, recording
    /// event or <c>MaxParticipants</c> value is a 400 naming the field.
    /// </summary>
    public static (ConferenceSettings? Settings, TwilioError? Error) Read(Func<string, IEnumerable<string?>> value, bool rest)
    {
        string Field(string name) => rest ? "Conference" + name : char.ToLowerInvariant(name[0]) + name[1..];
        string? One(string name) => value(Field(name)).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        HashSet<string> Many(string name) => value(Field(name))
            .SelectMany(v => (v ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToHashSet(StringComparer.Ordinal);

        var record = One("Record");
        if (record is not (null or "true" or "false" or "record-from-start" or "do-not-record"))
        {
            return (null, Invalid(Field("Record"), record, "record-from-start, do-not-record, true, false"));
        }

        var recordingEvents = Many("RecordingStatusCallbackEvent");
        if (recordingEvents.FirstOrDefault(e => !RecordingEvents.Contains(e)) is { } unknown)
        {
            return (null, Invalid(Field("RecordingStatusCallbackEvent"), unknown, "in-progress, completed, absent"));
        }

        var maxField = rest ? "MaxParticipants" : "maxParticipants";
        var maxParticipants = Largest;
        if (value(maxField).FirstOrDefault(v => !string.IsNullOrEmpty(v)) is { } max
            && (!int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out maxParticipants) || maxParticipants is < 2 or > Largest))
        {
            return (null, TwilioError.Of(20001, 400, $"{maxField} '{max}' is not valid; it must be a whole number from 2 to {Largest}"));
        }

        var events = Many("StatusCallbackEvent");
        var recordingUrl = One("RecordingStatusCallback");
        return (new ConferenceSettings(
            One("StatusCallback"),
            Method(One("StatusCallbackMethod")),
            events.Count == 0 ? FrozenSet.Create(StringComparer.Ordinal, "start", "end") : events,
            record is "true" or "record-from-start",
            Uri.TryCreate(recordingUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                ? new RecordingCallbacks(
                    recordingUrl,
                    Method(One("RecordingStatusCallbackMethod")),
                    recordingEvents.Count == 0 ? FrozenSet.Create(StringComparer.Ordinal, SimRecording.Completed) : recordingEvents)
                : null,
            maxParticipants), null);
    }

    private static string Method(string? method) => string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase) ? "GET" : "POST";

    private static TwilioError Invalid(string field, string? value, string allowed) =>
        TwilioError.Of(20001, 400, $"{field} '{value}' is not valid; it must be one of {allowed}");
}
