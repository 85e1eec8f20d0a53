using System.Collections.Concurrent;

namespace VoiceMesh.MediaStreams.Streaming;

/// <summary>
/// The connections and started streams this instance holds, and the duplicate check: a second stream for the same
/// call with the same tracks and custom parameters (what a duplicated webhook's TwiML opens) is refused while the
/// first is open.
/// </summary>
internal sealed class StreamRegistry
{
    private readonly ConcurrentDictionary<string, string> _byStream = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _byIdentity = new(StringComparer.Ordinal);
    private int _connections;

    public int Connections => Volatile.Read(ref _connections);

    public IReadOnlyList<string> Streams() => [.. _byStream.Keys];

    public void Connected() => Interlocked.Increment(ref _connections);

    public void Disconnected() => Interlocked.Decrement(ref _connections);

    /// <summary>Registers a started stream; false when an open stream has the same identity.</summary>
    public bool TryStart(string streamSid, string identity)
    {
        if (!_byIdentity.TryAdd(identity, streamSid))
        {
            return false;
        }

        _byStream[streamSid] = identity;
        return true;
    }

    public void End(string streamSid)
    {
        if (_byStream.TryRemove(streamSid, out var identity))
        {
            _byIdentity.TryRemove(new KeyValuePair<string, string>(identity, streamSid));
        }
    }
}
