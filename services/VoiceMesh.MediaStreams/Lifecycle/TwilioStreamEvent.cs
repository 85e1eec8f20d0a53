using VoiceMesh.Contracts.MediaStreams;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams.Lifecycle;

/// <summary>What Twilio's status callback says happened to a stream (REFERENCE §11.1).</summary>
public enum TwilioStreamEvent
{
    Started,
    Stopped,
    Error,
}

/// <summary>The one conversion between <see cref="TwilioStreamEvent"/> and Twilio's <c>StreamEvent</c> strings.</summary>
public static class TwilioStreamEventWire
{
    public static string ToWire(this TwilioStreamEvent value) => value switch
    {
        TwilioStreamEvent.Started => StreamStatusEvents.Started,
        TwilioStreamEvent.Stopped => StreamStatusEvents.Stopped,
        TwilioStreamEvent.Error => StreamStatusEvents.Error,
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    public static TwilioStreamEvent Parse(string wire) =>
        WireValues.TryParse<TwilioStreamEvent>(wire, ToWire, out var value)
            ? value
            : throw new ArgumentException($"'{wire}' is not a Twilio stream event.", nameof(wire));
}
