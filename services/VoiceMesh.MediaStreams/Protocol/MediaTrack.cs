using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams.Protocol;

/// <summary>A stream's audio direction: what the caller says (inbound) or hears (outbound).</summary>
public enum MediaTrack
{
    Inbound,
    Outbound,
}

/// <summary>The one conversion between <see cref="MediaTrack"/> and Twilio's <c>tracks</c>/<c>media.track</c> strings.</summary>
public static class MediaTrackWire
{
    public static string ToWire(this MediaTrack track) => track switch
    {
        MediaTrack.Inbound => "inbound",
        MediaTrack.Outbound => "outbound",
        _ => throw new ArgumentOutOfRangeException(nameof(track), track, null),
    };

    public static bool TryParse(string? wire, out MediaTrack track) => WireValues.TryParse(wire, ToWire, out track);

    /// <summary>The <c>dtmf.track</c> form (<c>inbound_track</c>) of a track.</summary>
    public static string ToDtmfWire(this MediaTrack track) => track.ToWire() + "_track";
}
