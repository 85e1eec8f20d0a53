using System.ComponentModel.DataAnnotations;

namespace VoiceMesh.MediaStreams.Processing;

/// <summary>
/// The live recorder (<c>MediaStreams:Recorder</c>): each recorded stream's tracks written as they arrive, one WAV file
/// per track (16-bit PCM, 8 kHz, mono) named <c>{StreamSid}.{track}.wav</c>.
/// </summary>
public sealed class WavRecorderOptions
{
    /// <summary>Whether a stream whose <c>&lt;Stream&gt;</c> does not say (custom parameter <c>record</c>) is recorded.</summary>
    public bool Enabled { get; set; }

    /// <summary>Where the files are written; relative to the service's content root.</summary>
    [Required]
    public string Directory { get; set; } = "recordings";

    /// <summary>
    /// The longest gap in a track's media timestamps filled with silence, so the file keeps the call's timeline; a
    /// longer jump (a clock reset, a corrupt timestamp) is filled only this far.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.020", "00:10:00")]
    public TimeSpan MaxGap { get; set; } = TimeSpan.FromSeconds(10);
}
