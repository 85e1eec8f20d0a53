namespace VoiceMesh.Conferences.Lifecycle;

/// <summary>A conference's status in Twilio's order (REFERENCE §3.2): <c>completed</c> is terminal.</summary>
public enum ConferenceStatus
{
    Init,
    InProgress,
    Completed,
}

/// <summary>A participant's place in the room, as the read model shows it.</summary>
public enum ParticipantStatus
{
    Joined,
    Left,
}

/// <summary>The one conversion of the lifecycle's enums to the read model's (Twilio's) strings.</summary>
public static class LifecycleWire
{
    public static string ToWire(this ConferenceStatus status) => status switch
    {
        ConferenceStatus.Init => "init",
        ConferenceStatus.InProgress => "in-progress",
        ConferenceStatus.Completed => "completed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string ToWire(this ParticipantStatus status) => status switch
    {
        ParticipantStatus.Joined => "joined",
        ParticipantStatus.Left => "left",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
