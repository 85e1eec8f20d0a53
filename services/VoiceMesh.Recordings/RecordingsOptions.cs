using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings;

public sealed class RecordingsOptions : IConfigurationOptions
{
    public static string Section => "Recordings";

    /// <summary>Whether a recording is deleted at Twilio once its archived copy is stored and verified.</summary>
    public bool DeleteAtTwilio { get; set; } = true;
}
