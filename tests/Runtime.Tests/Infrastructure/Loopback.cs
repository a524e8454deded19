using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace WebSocketHandoff.Tests.Infrastructure;

/// <summary>A connected pair of real loopback TCP sockets.</summary>
internal sealed class Loopback : IDisposable
{
    private Loopback(Socket local, Socket remote)
    {
        Local = local;
        Remote = remote;
        LocalStream = new NetworkStream(local, ownsSocket: true);
        RemoteStream = new NetworkStream(remote, ownsSocket: true);
    }

    public Socket Local { get; }

    public Socket Remote { get; }

    /// <summary>The stream the HandoffWebSocket runs on.</summary>
    public NetworkStream LocalStream { get; }

    /// <summary>The peer's end.</summary>
    public NetworkStream RemoteStream { get; }

    public static async Task<Loopback> CreateAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Task connect = client.ConnectAsync(listener.LocalEndPoint!);
        Socket server = await listener.AcceptAsync();
        await connect;
        server.NoDelay = true;
        return new Loopback(server, client);
    }

    public void Dispose()
    {
        LocalStream.Dispose();
        RemoteStream.Dispose();
    }
}

/// <summary>Bounds a test: a bug must fail it, not hang it.</summary>
internal static class Bounded
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    public static CancellationToken Token() => new CancellationTokenSource(Limit).Token;

    public static async Task<T> Within<T>(this Task<T> task) => await task.WaitAsync(Limit);

    public static async Task Within(this Task task) => await task.WaitAsync(Limit);

    public static async Task<T> Within<T>(this ValueTask<T> task) => await task.AsTask().WaitAsync(Limit);

    public static async Task Within(this ValueTask task) => await task.AsTask().WaitAsync(Limit);

    /// <summary>Reads exactly <paramref name="count"/> bytes or fails.</summary>
    public static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, Token());
        return buffer;
    }

    /// <summary>Reads until the peer closes its side.</summary>
    public static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var all = new MemoryStream();
        await stream.CopyToAsync(all, Token());
        return all.ToArray();
    }
}
