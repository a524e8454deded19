using System;
using System.IO;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests;

/// <summary>The handoff over TLS, the two-way switch, and every WebSocketCreationOptions member honoured while attached.</summary>
public sealed class TransportAndOptionsTests
{
    [Fact]
    public async Task Handoff_over_TLS_returns_every_byte_both_ways()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using X509Certificate2 certificate = CreateSelfSignedCertificate();
        var serverTls = new SslStream(lb.LocalStream);
        var clientTls = new SslStream(lb.RemoteStream, false, (_, _, _, _) => true);
        await Task.WhenAll(
            serverTls.AuthenticateAsServerAsync(certificate),
            clientTls.AuthenticateAsClientAsync("localhost")).Within();

        using HandoffWebSocket server = Peers.Handoff(serverTls, isServer: true, TimeSpan.FromMilliseconds(1));
        using HandoffWebSocket client = Peers.Handoff(clientTls, isServer: false, TimeSpan.FromMilliseconds(1));
        byte[] clientRaw = Frames.RandomBytes(100_000);
        byte[] serverRaw = Frames.RandomBytes(70_000);
        serverRaw[0] = 0x00;

        Task clientSide = Task.Run(async () =>
        {
            await client.SendAsync("hello over TLS"u8.ToArray(), WebSocketMessageType.Text, true, Bounded.Token());
            await using Stream raw = await client.SendAndDetachAsync("switch"u8.ToArray(), WebSocketMessageType.Text);
            await raw.WriteAsync(clientRaw);
            // The server's keep-alive may have sent pongs before its own handoff point; nothing follows its raw bytes.
            Assert.Equal(serverRaw, Peers.SkipLeadingKeepAlive(await Bounded.ReadToEndAsync(raw)));
        });

        Assert.Equal("hello over TLS", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(server)).Payload));
        Assert.Equal("switch", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(server)).Payload));
        await using Stream detached = await server.DetachAsync().Within();
        Assert.Equal(clientRaw, await Bounded.ReadExactlyAsync(detached, clientRaw.Length));
        await detached.WriteAsync(serverRaw);
        await serverTls.ShutdownAsync();
        await clientSide.Within();
    }

    [Fact]
    public async Task Two_message_exchange_switches_both_directions_cleanly_with_keep_alive_on()
    {
        // A asks with SendAndDetachAsync (A -> B ends there), then reads B's remaining WebSocket traffic through a
        // second HandoffWebSocket with keep-alive off (which writes nothing), up to B's answer sent with SendAndDetachAsync.
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket a = Peers.Handoff(lb.LocalStream, isServer: false, TimeSpan.FromMilliseconds(1));
        using HandoffWebSocket b = Peers.Handoff(lb.RemoteStream, isServer: true, TimeSpan.FromMilliseconds(1));

        Task<Stream> bSide = Task.Run(async () =>
        {
            Assert.Equal("SWITCH?", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(b)).Payload));
            return await b.SendAndDetachAsync("SWITCHING"u8.ToArray(), WebSocketMessageType.Text);
        });

        Stream aFirst = await a.SendAndDetachAsync("SWITCH?"u8.ToArray(), WebSocketMessageType.Text).Within();
        using HandoffWebSocket aDrain = Peers.Handoff(aFirst, isServer: false);
        Assert.Equal("SWITCHING", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(aDrain)).Payload));
        await using Stream aRaw = await aDrain.DetachAsync().Within();
        await using Stream bRaw = await bSide.Within();

        byte[] fromA = Frames.RandomBytes(50_000);
        byte[] fromB = Frames.RandomBytes(60_000);
        await Task.WhenAll(aRaw.WriteAsync(fromA).AsTask(), bRaw.WriteAsync(fromB).AsTask()).Within();
        lb.Local.Shutdown(SocketShutdown.Send);
        lb.Remote.Shutdown(SocketShutdown.Send);
        Assert.Equal(fromB, await Bounded.ReadToEndAsync(aRaw));
        Assert.Equal(fromA, await Bounded.ReadToEndAsync(bRaw));
    }

    [Fact]
    public async Task Sub_protocol_and_deflate_options_are_honoured_and_the_handoff_still_loses_nothing()
    {
        using Loopback lb = await Loopback.CreateAsync();
        var deflate = new WebSocketDeflateOptions();
        using HandoffWebSocket server = HandoffWebSocket.CreateFromStream(lb.LocalStream, new WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = "chat.v1",
            KeepAliveInterval = TimeSpan.FromMilliseconds(1),
            DangerousDeflateOptions = deflate,
        });
        using HandoffWebSocket client = HandoffWebSocket.CreateFromStream(lb.RemoteStream, new WebSocketCreationOptions
        {
            IsServer = false,
            SubProtocol = "chat.v1",
            DangerousDeflateOptions = new WebSocketDeflateOptions(),
        });
        Assert.Equal("chat.v1", server.SubProtocol);

        byte[] compressible = Encoding.ASCII.GetBytes(new string('a', 50_000));
        await client.SendAsync(compressible, WebSocketMessageType.Binary, true, Bounded.Token());
        Task<(WebSocketMessageType, byte[])> receive = Peers.ReceiveMessageAsync(server);
        Assert.Equal(compressible, (await receive.Within()).Item2);

        await using Stream clientRaw = await client.SendAndDetachAsync(compressible, WebSocketMessageType.Binary).Within();
        await clientRaw.WriteAsync("RAW"u8.ToArray());
        Assert.Equal(compressible, (await Peers.ReceiveMessageAsync(server)).Payload);
        await using Stream serverRaw = await server.DetachAsync().Within();
        Assert.Equal("RAW"u8.ToArray(), await Bounded.ReadExactlyAsync(serverRaw, 3));
    }

    [Fact]
    public async Task Keep_alive_timeout_pings_are_answered_while_attached_and_stop_at_the_detach()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket server = HandoffWebSocket.CreateFromStream(lb.LocalStream, new WebSocketCreationOptions
        {
            IsServer = true,
            KeepAliveInterval = TimeSpan.FromMilliseconds(5),
            KeepAliveTimeout = TimeSpan.FromSeconds(30),
        });

        // With a timeout, keep-alive sends pings; a BCL client answers them with pongs.
        using WebSocket client = Peers.Bcl(lb.RemoteStream, isServer: false);
        Task<ValueWebSocketReceiveResult> clientReceive = client.ReceiveAsync(new byte[100].AsMemory(), Bounded.Token()).AsTask();
        await client.SendAsync("hi"u8.ToArray(), WebSocketMessageType.Text, true, Bounded.Token());
        Assert.Equal("hi", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(server)).Payload));

        await using Stream raw = await server.SendAndDetachAsync("bye"u8.ToArray(), WebSocketMessageType.Text).Within();
        ValueWebSocketReceiveResult last = await clientReceive.Within();
        Assert.Equal((3, true), (last.Count, last.EndOfMessage));
        await raw.WriteAsync("RAW"u8.ToArray());
        lb.Local.Shutdown(SocketShutdown.Send);

        // The client's WebSocket is done; what follows "bye" on the wire is exactly the raw bytes.
        var buffer = new byte[3];
        await lb.RemoteStream.ReadExactlyAsync(buffer, Bounded.Token());
        Assert.Equal("RAW"u8.ToArray(), buffer);
    }

    [Fact]
    public async Task Attached_HandoffWebSocket_talks_to_a_BCL_WebSocket_and_closes_as_it_does()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket server = Peers.Handoff(lb.LocalStream, isServer: true);
        using WebSocket client = Peers.Bcl(lb.RemoteStream, isServer: false);

        for (int size = 0; size < 200_000; size = size * 3 + 1)
        {
            byte[] payload = Frames.RandomBytes(size);
            await client.SendAsync(payload, WebSocketMessageType.Binary, true, Bounded.Token());
            Assert.Equal(payload, (await Peers.ReceiveMessageAsync(server)).Payload);
            await server.SendAsync(new ArraySegment<byte>(payload), WebSocketMessageType.Binary, true, Bounded.Token());
            Assert.Equal(payload, (await Peers.ReceiveMessageAsync(client)).Payload);
        }

        Task clientClose = client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Bounded.Token());
        WebSocketReceiveResult close = await server.ReceiveAsync(new ArraySegment<byte>(new byte[10]), Bounded.Token());
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal((WebSocketCloseStatus.NormalClosure, "done"), (server.CloseStatus, server.CloseStatusDescription));
        await server.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", Bounded.Token());
        await clientClose.Within();
        Assert.Equal(WebSocketState.Closed, server.State);
        Assert.Equal(WebSocketState.Closed, client.State);
    }

    private static X509Certificate2 CreateSelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), null);
    }
}
