using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using VoiceMesh.Recordings.Storage;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Archiving;

/// <summary>
/// Archive outcomes, counted once the event store accepted them (a repeat the stream refuses counts nothing):
/// recordings archived and their bytes per storage backend, and failed attempts per failure class; and recording
/// callbacks refused.
/// </summary>
public sealed class RecordingsMetrics
{
    /// <summary>The <c>error.type</c> of a callback that names another account than its recording's.</summary>
    public const string AccountMismatch = "account-mismatch";

    public const string BackendAttribute = "voicemesh.blob.backend";
    public const string ErrorTypeAttribute = "error.type";

    private readonly Counter<long> _archived;
    private readonly Counter<long> _archivedBytes;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _refused;
    private readonly KeyValuePair<string, object?> _backend;

    public RecordingsMetrics(IMeterFactory meterFactory, IOptions<BlobStorageOptions> storage)
    {
        var meter = meterFactory.Create(VoiceMeshTelemetry.Name);
        _archived = meter.CreateCounter<long>(
            "voicemesh.recordings.archived", "{recording}", "Recordings whose verified copy was stored and recorded as archived.");
        _archivedBytes = meter.CreateCounter<long>(
            "voicemesh.recordings.archived.size", "By", "Bytes of the recordings recorded as archived.");
        _failures = meter.CreateCounter<long>(
            "voicemesh.recordings.archive.failures", "{attempt}", "Archive attempts recorded as failed, by failure class (error.type).");
        _refused = meter.CreateCounter<long>(
            "voicemesh.recordings.callbacks.refused", "{callback}", "Recording status callbacks not applied, by error.type (account-mismatch: another account than the recording's).");
        _backend = new(BackendAttribute, BackendName(storage.Value.Backend));
    }

    /// <summary>The attribute value of a backend: <c>filesystem</c>, <c>azure</c> or <c>s3</c>, as <c>BlobStorage:Backend</c> names it.</summary>
    public static string BackendName(BlobStorageBackend backend) => backend switch
    {
        BlobStorageBackend.Azure => "azure",
        BlobStorageBackend.S3 => "s3",
        _ => "filesystem",
    };

    public void Archived(long sizeBytes)
    {
        _archived.Add(1, _backend);
        _archivedBytes.Add(sizeBytes, _backend);
    }

    public void Refused(string errorType) => _refused.Add(1, new KeyValuePair<string, object?>(ErrorTypeAttribute, errorType));

    public void Failed(string errorType) => _failures.Add(1, new KeyValuePair<string, object?>(ErrorTypeAttribute, errorType));
}
