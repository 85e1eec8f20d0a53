using System.Diagnostics;
using System.Reflection;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// The span attributes that make a Twilio resource's traces findable by sid (Jaeger's tag search:
/// <c>twilio.call_sid=CA...</c>): every webhook span at the gateway and every consume span in the services carries the
/// sids of its message.
/// </summary>
public static class TwilioSpanTags
{
    public const string AccountSid = "twilio.account_sid";
    public const string CallSid = "twilio.call_sid";
    public const string ConferenceSid = "twilio.conference_sid";
    public const string RecordingSid = "twilio.recording_sid";
    public const string StreamSid = "twilio.stream_sid";

    /// <summary>The message type, e.g. <c>CallStatusCallbackReceived</c>.</summary>
    public const string MessageType = "voicemesh.message.type";

    /// <summary>Sets the sids <paramref name="message"/> carries (its non-empty <c>...Sid</c> properties) on <paramref name="activity"/>.</summary>
    public static void Tag<T>(Activity? activity, T message)
        where T : class
    {
        if (activity is null || !activity.IsAllDataRequested)
        {
            return;
        }

        activity.SetTag(MessageType, typeof(T).Name);
        foreach (var (tag, read) in SidProperties<T>.All)
        {
            if (read(message) is { Length: > 0 } sid)
            {
                activity.SetTag(tag, sid);
            }
        }
    }

    /// <summary>The sid properties of <typeparamref name="T"/>, found once per type and read through their compiled getters.</summary>
    private static class SidProperties<T>
        where T : class
    {
        public static readonly (string Tag, Func<T, string?> Read)[] All =
        [
            .. new[] { (AccountSid, "AccountSid"), (CallSid, "CallSid"), (ConferenceSid, "ConferenceSid"), (RecordingSid, "RecordingSid"), (StreamSid, "StreamSid") }
                .Select(p => (p.Item1, Property: typeof(T).GetProperty(p.Item2, BindingFlags.Public | BindingFlags.Instance)))
                .Where(p => p.Property is { PropertyType: var type, GetMethod: not null } && type == typeof(string))
                .Select(p => (p.Item1, p.Property!.GetMethod!.CreateDelegate<Func<T, string?>>())),
        ];
    }
}
