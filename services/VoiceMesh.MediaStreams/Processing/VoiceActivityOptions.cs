using System.ComponentModel.DataAnnotations;

namespace VoiceMesh.MediaStreams.Processing;

/// <summary>The energy VAD's thresholds (<c>MediaStreams:VoiceActivity</c>): two levels and two durations (hysteresis).</summary>
public sealed class VoiceActivityOptions
{
    /// <summary>A frame at least this loud (RMS, dBFS) counts towards speech starting.</summary>
    [Range(-90.0, 0.0)]
    public double StartDbfs { get; set; } = -35;

    /// <summary>A frame quieter than this counts towards speech stopping; between the two levels nothing changes.</summary>
    [Range(-90.0, 0.0)]
    public double StopDbfs { get; set; } = -45;

    /// <summary>Loud frames in a row before speech starts (at the first of them).</summary>
    [Range(1, 50)]
    public int StartFrames { get; set; } = 3;

    /// <summary>Quiet frames in a row before speech stops (at the first of them).</summary>
    [Range(1, 250)]
    public int StopFrames { get; set; } = 15;

    /// <summary>No speech on a track for this long is dead air (<c>SilenceDetected</c>, once per silent stretch).</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "01:00:00")]
    public TimeSpan DeadAir { get; set; } = TimeSpan.FromSeconds(5);
}
