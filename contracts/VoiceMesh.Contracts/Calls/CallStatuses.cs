namespace VoiceMesh.Contracts.Calls;

/// <summary>Twilio's <c>CallStatus</c> wire strings.</summary>
public static class CallStatuses
{
    public const string Queued = "queued";
    public const string Initiated = "initiated";
    public const string Ringing = "ringing";
    public const string InProgress = "in-progress";
    public const string Completed = "completed";
    public const string Busy = "busy";
    public const string Failed = "failed";
    public const string NoAnswer = "no-answer";
    public const string Canceled = "canceled";

    public static IReadOnlyList<string> All { get; } =
        [Queued, Initiated, Ringing, InProgress, Completed, Busy, Failed, NoAnswer, Canceled];

    public static bool IsKnown(string status) => All.Contains(status, StringComparer.Ordinal);

    /// <summary>Twilio's <c>AnsweredBy</c> values.</summary>
    public static IReadOnlyList<string> AnsweredByValues { get; } =
        ["human", "machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax", "unknown"];
}
