namespace VoiceMesh.TwilioSimulator.Recordings;

/// <summary>Every media request and how much of its body went out, updated while it streams; thread-safe.</summary>
internal sealed class MediaDownloadLog
{
    private readonly Lock _gate = new();
    private readonly List<MediaDownload> _downloads = [];

    public IReadOnlyList<MediaDownload> Downloads
    {
        get
        {
            lock (_gate)
            {
                return [.. _downloads];
            }
        }
    }

    /// <summary>Logs a media request being answered and returns its id.</summary>
    public long Start(string recordingSid, DateTimeOffset time, MediaFaultKind? fault, int statusCode, long? contentLength)
    {
        lock (_gate)
        {
            var id = _downloads.Count == 0 ? 0 : _downloads[^1].Id + 1;
            _downloads.Add(new MediaDownload
            {
                Id = id,
                RecordingSid = recordingSid,
                Time = time,
                Fault = fault,
                StatusCode = statusCode,
                ContentLength = contentLength,
            });
            return id;
        }
    }

    public void Update(long id, Func<MediaDownload, MediaDownload> update)
    {
        lock (_gate)
        {
            var index = _downloads.FindIndex(d => d.Id == id);
            if (index >= 0)
            {
                _downloads[index] = update(_downloads[index]);
            }
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _downloads.Clear();
        }
    }
}
