using System.Collections.Concurrent;
using VoiceMesh.MediaStreams.Playback;

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
    private readonly ConcurrentDictionary<string, StreamPlayer> _players = new(StringComparer.Ordinal);
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

    /// <summary>The player of a stream this instance holds open, if any.</summary>
    public StreamPlayer? Player(string streamSid) => _players.GetValueOrDefault(streamSid);

    public void Attach(string streamSid, StreamPlayer player) => _players[streamSid] = player;

    public void End(string streamSid)
    {
        _players.TryRemove(streamSid, out _);
        if (_byStream.TryRemove(streamSid, out var identity))
        {
            _byIdentity.TryRemove(new KeyValuePair<string, string>(identity, streamSid));
        }
    }
}
