using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace VoiceMesh.Testing;

public static class FreePort
{
    /// <summary>
    /// A TCP port on 127.0.0.1 that nothing listened on a moment ago, chosen below the kernel's ephemeral range (as
    /// <c>deploy/local/lib.sh</c> does), so a listener or an outgoing connection that asks the kernel for any port
    /// never takes it while its owner is down, e.g. between a service's kill and its restart.
    /// </summary>
    public static int Next()
    {
        var (first, last) = Range();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = RandomNumberGenerator.GetInt32(first, last + 1);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException($"No free TCP port on 127.0.0.1 between {first} and {last}.");
    }

    private static (int First, int Last) Range()
    {
        var (low, high) = (32768, 60999);
        if (File.Exists("/proc/sys/net/ipv4/ip_local_port_range")
            && File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries) is [var l, var h])
        {
            (low, high) = (int.Parse(l, System.Globalization.CultureInfo.InvariantCulture), int.Parse(h, System.Globalization.CultureInfo.InvariantCulture));
        }

        return low > 12000 ? (10000, low - 1) : (high + 1, 65535);
    }
}
