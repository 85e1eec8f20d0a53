using System.Buffers.Binary;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VoiceMesh.MediaStreams.Processing;
using VoiceMesh.MediaStreams.Protocol;

namespace VoiceMesh.MediaStreams.Tests;

public sealed class WavRecorderSpecs : IDisposable
{
    private static readonly IStreamObserver Nobody = new Ignoring();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "voicemesh-wav-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Each_track_becomes_a_wav_on_the_calls_timeline_with_lost_frames_as_silence_and_late_frames_left_out()
    {
        var recorder = Record(new MediaStreamsOptions { Recorder = { Enabled = true, Directory = _directory } }, Stream("MZrecorded"));

        await recorder.Process(MediaTrack.Inbound, 0, Frame(1000), []);
        await recorder.Process(MediaTrack.Outbound, 0, Frame(-7), []);
        await recorder.Process(MediaTrack.Inbound, 20, Frame(1001), []);
        await recorder.Process(MediaTrack.Inbound, 100, Frame(1002), []);
        await recorder.Process(MediaTrack.Inbound, 20, Frame(5555), []);
        await recorder.Process(MediaTrack.Inbound, 121, Frame(1003), []);
        recorder.Complete();

        var inbound = ReadWav(Path.Combine(_directory, "MZrecorded.inbound.wav"));
        Assert.Equal([.. Repeat(1000, 160), .. Repeat(1001, 160), .. Repeat(0, 480), .. Repeat(1002, 160), .. Repeat(1003, 160)], inbound);
        Assert.Equal(Repeat(-7, 160), ReadWav(Path.Combine(_directory, "MZrecorded.outbound.wav")));
    }

    [Fact]
    public async Task A_gap_longer_than_the_configured_maximum_is_filled_only_that_far()
    {
        var recorder = Record(
            new MediaStreamsOptions { Recorder = { Enabled = true, Directory = _directory, MaxGap = TimeSpan.FromMilliseconds(40) } }, Stream("MZgap"));

        await recorder.Process(MediaTrack.Inbound, 0, Frame(1), []);
        await recorder.Process(MediaTrack.Inbound, 3_600_000, Frame(2), []);
        recorder.Complete();

        Assert.Equal([.. Repeat(1, 160), .. Repeat(0, 320), .. Repeat(2, 160)], ReadWav(Path.Combine(_directory, "MZgap.inbound.wav")));
    }

    [Fact]
    public async Task A_stream_whose_processing_failed_still_leaves_a_readable_file()
    {
        var recorder = Record(new MediaStreamsOptions { Recorder = { Enabled = true, Directory = _directory } }, Stream("MZfailed"));

        await recorder.Process(MediaTrack.Inbound, 0, Frame(42), []);
        ((IDisposable)recorder).Dispose();

        Assert.Equal(Repeat(42, 160), ReadWav(Path.Combine(_directory, "MZfailed.inbound.wav")));
    }

    [Fact]
    public void A_streams_record_parameter_overrides_the_options_and_a_value_that_is_not_a_boolean_gets_the_default()
    {
        var off = Factory(new MediaStreamsOptions { Recorder = { Directory = _directory } });
        var on = Factory(new MediaStreamsOptions { Recorder = { Enabled = true, Directory = _directory } });

        Assert.Null(off.Create(Stream("MZa"), Nobody));
        Assert.Null(off.Create(Stream("MZb", "maybe"), Nobody));
        Assert.Null(on.Create(Stream("MZc", "false"), Nobody));
        Assert.IsType<WavRecorderProcessor>(off.Create(Stream("MZd", "True"), Nobody));
        Assert.IsType<WavRecorderProcessor>(on.Create(Stream("MZe"), Nobody));
        Assert.IsType<WavRecorderProcessor>(on.Create(Stream("MZf", "maybe"), Nobody));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static WavRecorderFactory Factory(MediaStreamsOptions options) =>
        new(Options.Create(options), new HostingEnvironment { ContentRootPath = Path.GetTempPath() }, NullLogger<WavRecorderFactory>.Instance);

    private static IMediaProcessor Record(MediaStreamsOptions options, StreamContext stream) =>
        Factory(options).Create(stream, Nobody) ?? throw new InvalidOperationException("The stream was not recorded.");

    private static StreamContext Stream(string streamSid, string? record = null) => new(
        streamSid, "CA" + Guid.NewGuid().ToString("N"), [MediaTrack.Inbound, MediaTrack.Outbound],
        record is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [WavRecorderFactory.Parameter] = record });

    private static short[] Frame(short value) => Repeat(value, 160);

    private static short[] Repeat(short value, int count) => Enumerable.Repeat(value, count).ToArray();

    /// <summary>Checks the header against the file (PCM, mono, 8 kHz, 16-bit, sizes that match) and returns the samples.</summary>
    private static short[] ReadWav(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal("RIFF"u8.ToArray(), bytes[..4]);
        Assert.Equal((uint)(bytes.Length - 8), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal("WAVEfmt "u8.ToArray(), bytes[8..16]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(20)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(22)));
        Assert.Equal(8000u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24)));
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(34)));
        Assert.Equal("data"u8.ToArray(), bytes[36..40]);
        Assert.Equal((uint)(bytes.Length - 44), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(40)));
        var samples = new short[(bytes.Length - 44) / 2];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(44 + (i * 2)));
        }

        return samples;
    }

    private sealed class Ignoring : IStreamObserver
    {
        public void Observe(object observed)
        {
        }
    }
}
