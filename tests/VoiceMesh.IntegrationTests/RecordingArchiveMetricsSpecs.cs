using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using VoiceMesh.Recordings.Archiving;
using VoiceMesh.Recordings.Lifecycle;
using VoiceMesh.Recordings.Storage;
using VoiceMesh.ServiceDefaults;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// The archive metrics for a scripted scenario, on the service's own archiver, event store (a schema of the shared
/// PostgreSQL) and filesystem backend, with the media served in-process: three recordings of known sizes archived,
/// one HTML page served as media, and a repeated archive the stream refuses. The counters read what the store accepted.
/// </summary>
public sealed class RecordingArchiveMetricsSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private const string AccountSid = "AC00000000000000000000000000000001";
    private const string MediaBase = "http://media.test";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "voicemesh-archive-metrics-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, byte[]> _media = new(StringComparer.Ordinal);
    private IHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = infrastructure.PostgresConnectionString,
            ["Marten:Schema"] = TestInfrastructure.NewSchemaName("rec_metrics"),
            ["BlobStorage:Directory"] = _directory,
        });
        builder.AddEventStore("recordings");
        builder.AddRecordingLifecycle();
        builder.AddRecordingStorage();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<TwilioOptions>(o => o.ApiBaseUrl = MediaBase);
        builder.Services.AddSingleton<RecordingsMetrics>();
        builder.Services.AddScoped<RecordingArchiver>();
        builder.Services.AddHttpClient(TwilioClientExtensions.MediaHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new MediaHandler(_media));
        _host = builder.Build();
        await _host.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Three_archived_recordings_and_one_corrupted_download_read_3_archived_their_bytes_and_1_not_audio_failure()
    {
        var meters = _host.Services.GetRequiredService<IMeterFactory>();
        using var archived = new MetricCollector<long>(meters, VoiceMeshTelemetry.Name, "voicemesh.recordings.archived");
        using var size = new MetricCollector<long>(meters, VoiceMeshTelemetry.Name, "voicemesh.recordings.archived.size");
        using var failures = new MetricCollector<long>(meters, VoiceMeshTelemetry.Name, "voicemesh.recordings.archive.failures");
        int[] sizes = [1_000, 25_000, 300_000];
        var sids = new List<string>();
        foreach (var dataBytes in sizes)
        {
            sids.Add(await Reported(Wav(dataBytes)));
        }

        var corrupted = await Reported(Encoding.UTF8.GetBytes("<html><body>502 Bad Gateway</body></html>"));

        foreach (var sid in sids)
        {
            Assert.True(await Archive(sid));
        }

        await Assert.ThrowsAsync<RecordingVerificationException>(() => Archive(corrupted));

        Assert.Equal("{recording}", archived.Instrument!.Unit);
        Assert.Equal("By", size.Instrument!.Unit);
        Assert.Equal("{attempt}", failures.Instrument!.Unit);
        Assert.Equal(3, archived.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.All(archived.GetMeasurementSnapshot(), m => Assert.Equal("filesystem", m.Tags[RecordingsMetrics.BackendAttribute]));
        Assert.Equal(sizes.Sum(d => 44L + d), size.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.All(size.GetMeasurementSnapshot(), m => Assert.Equal("filesystem", m.Tags[RecordingsMetrics.BackendAttribute]));
        var failure = Assert.Single(failures.GetMeasurementSnapshot());
        Assert.Equal(1, failure.Value);
        Assert.Equal(ArchiveFailureTypes.NotAudio, failure.Tags[RecordingsMetrics.ErrorTypeAttribute]);
    }

    [Fact]
    public async Task A_repeated_archive_that_the_stream_refuses_counts_nothing_more()
    {
        var meters = _host.Services.GetRequiredService<IMeterFactory>();
        using var archived = new MetricCollector<long>(meters, VoiceMeshTelemetry.Name, "voicemesh.recordings.archived");
        using var size = new MetricCollector<long>(meters, VoiceMeshTelemetry.Name, "voicemesh.recordings.archived.size");
        var sid = await Reported(Wav(5_000));
        var before = await Load(sid);

        Assert.True(await Archive(before));
        Assert.False(await Archive(before));

        Assert.Equal(1, archived.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(5_044, size.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public async Task A_media_url_off_twilios_hosts_counts_one_url_refused_failure()
    {
        var meters = _host.Services.GetRequiredService<IMeterFactory>();
        using var failures = new MetricCollector<long>(meters, VoiceMeshTelemetry.Name, "voicemesh.recordings.archive.failures");
        var sid = await Reported([], "http://169.254.169.254/latest");

        Assert.False(await Archive(sid));
        Assert.False(await Archive(sid));

        var failure = Assert.Single(failures.GetMeasurementSnapshot());
        Assert.Equal(ArchiveFailureTypes.UrlRefused, failure.Tags[RecordingsMetrics.ErrorTypeAttribute]);
    }

    /// <summary>Stores a completed report (which decides to archive) for a new recording whose media is <paramref name="media"/>.</summary>
    private async Task<string> Reported(byte[] media, string? mediaBase = null)
    {
        var sid = "RE" + Guid.NewGuid().ToString("N");
        var path = $"/2010-04-01/Accounts/{AccountSid}/Recordings/{sid}";
        _media[path + ".wav"] = media;
        var report = new RecordingReported
        {
            RecordingSid = sid,
            CallSid = "CA" + Guid.NewGuid().ToString("N"),
            AccountSid = AccountSid,
            Status = TwilioRecordingStatus.Completed,
            Url = (mediaBase ?? MediaBase) + path,
            DurationSeconds = 1,
            MessageId = Guid.NewGuid().ToString(),
            ReceivedAt = DateTimeOffset.UtcNow,
        };
        var commands = _host.Services.GetRequiredService<StreamCommands>();
        await commands.Execute<Recording>(sid, report.MessageId, r => Recording.Decide(r, report, DateTimeOffset.UtcNow), Ct);
        return sid;
    }

    private async Task<Recording> Load(string sid) =>
        (await _host.Services.GetRequiredService<StreamCommands>().Load<Recording>(sid, Ct))!;

    private async Task<bool> Archive(string sid) => await Archive(await Load(sid));

    private async Task<bool> Archive(Recording recording)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RecordingArchiver>().Archive(recording, 1, Ct);
    }

    private static byte[] Wav(int dataBytes)
    {
        var bytes = new byte[44 + dataBytes];
        "RIFF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(36 + dataBytes));
        "WAVEfmt "u8.CopyTo(bytes.AsSpan(8));
        return bytes;
    }

    /// <summary>Serves the scripted media by path, with its Content-Length; 404 for anything else.</summary>
    private sealed class MediaHandler(Dictionary<string, byte[]> media) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(media.TryGetValue(request.RequestUri!.AbsolutePath, out var bytes)
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(bytes) }
                : new HttpResponseMessage(HttpStatusCode.NotFound));
    }
}
