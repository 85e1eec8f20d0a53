using System.Buffers.Binary;
using VoiceMesh.MediaStreams.Audio;

namespace VoiceMesh.MediaStreams.Playback;

/// <summary>A clip to play: its mu-law bytes (8 kHz mono) and whether speech may interrupt it.</summary>
internal sealed record Clip(string Id, byte[] MuLaw, bool BargeIn)
{
    public long DurationMs => MuLaw.Length / 8;
}

/// <summary>Builds clips from what a PlayAudio names: a generated tone, or a file under <c>MediaStreams:AudioDirectory</c>.</summary>
internal static class ClipSource
{
    public static (Clip? Clip, string? Problem) Load(string? clipId, double? toneHz, int? toneMs, string? file, bool bargeIn, string audioDirectory)
    {
        if (string.IsNullOrWhiteSpace(clipId) || clipId.Length > 64)
        {
            return (null, "clipId is required, at most 64 characters.");
        }

        if ((file is null) == (toneHz is null && toneMs is null))
        {
            return (null, "Give either toneHz and toneMs, or file.");
        }

        if (file is null)
        {
            return toneHz is >= 50 and <= 3900 && toneMs is >= 20 and <= 600_000
                ? (new Clip(clipId, Tone(toneHz.Value, toneMs.Value), bargeIn), null)
                : (null, "toneHz must be 50-3900 and toneMs 20-600000.");
        }

        var root = Path.GetFullPath(audioDirectory);
        var path = Path.GetFullPath(Path.Combine(root, file));
        if (Path.IsPathRooted(file) || !path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(path))
        {
            return (null, "file must name a file under the audio directory.");
        }

        var bytes = File.ReadAllBytes(path);
        var audio = Path.GetExtension(path).Equals(".wav", StringComparison.OrdinalIgnoreCase) ? Wav(bytes) : bytes;
        return audio is { Length: > 0 } ? (new Clip(clipId, audio, bargeIn), null) : (null, "file must be 8 kHz mono WAV (16-bit PCM or mu-law) or raw mu-law.");
    }

    private static byte[] Tone(double hz, int milliseconds)
    {
        var codes = new byte[milliseconds * 8];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = MuLaw.Encode((short)(8000 * Math.Sin(2 * Math.PI * hz * i / 8000.0)));
        }

        return codes;
    }

    /// <summary>The mu-law samples of a RIFF/WAVE file of 8 kHz mono 16-bit PCM (format 1) or mu-law (format 7); null otherwise.</summary>
    private static byte[]? Wav(byte[] file)
    {
        if (file.Length < 12 || !file.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !file.AsSpan(8, 4).SequenceEqual("WAVE"u8))
        {
            return null;
        }

        int? format = null;
        for (var at = 12; at + 8 <= file.Length;)
        {
            var id = file.AsSpan(at, 4);
            var size = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 4)), (uint)(file.Length - at - 8));
            var body = file.AsSpan(at + 8, size);
            if (id.SequenceEqual("fmt "u8) && size >= 16)
            {
                var tag = BinaryPrimitives.ReadUInt16LittleEndian(body);
                var ok = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]) == 1 && BinaryPrimitives.ReadUInt32LittleEndian(body[4..]) == 8000
                    && (tag == 7 || (tag == 1 && BinaryPrimitives.ReadUInt16LittleEndian(body[14..]) == 16));
                format = ok ? tag : -1;
            }
            else if (id.SequenceEqual("data"u8))
            {
                return format switch
                {
                    7 => body.ToArray(),
                    1 => Pcm(body),
                    _ => null,
                };
            }

            at += 8 + size + (size & 1);
        }

        return null;
    }

    private static byte[] Pcm(ReadOnlySpan<byte> body)
    {
        var codes = new byte[body.Length / 2];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = MuLaw.Encode(BinaryPrimitives.ReadInt16LittleEndian(body[(2 * i)..]));
        }

        return codes;
    }
}
