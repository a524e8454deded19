using System;
using System.IO;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;

namespace WebSocketHandoff
{
    /// <summary>
    /// A <see cref="WebSocket"/> that can hand its transport back to the caller: after
    /// <see cref="DetachAsync"/> the returned stream yields every byte the peer sent after the last frame the
    /// application consumed, and no byte from the WebSocket layer reaches the transport any more.
    /// </summary>
    /// <remarks>SCAFFOLD: the public surface of SPEC §2; the implementation is being written (issue 2).</remarks>
    public sealed class HandoffWebSocket : WebSocket
    {
        private HandoffWebSocket() { }

        /// <summary>Creates a HandoffWebSocket over <paramref name="stream"/>; the arguments are those of <see cref="WebSocket.CreateFromStream(Stream, bool, string?, TimeSpan)"/>.</summary>
        public static new HandoffWebSocket CreateFromStream(Stream stream, bool isServer, string? subProtocol, TimeSpan keepAliveInterval) => throw new NotImplementedException();

        /// <summary>Creates a HandoffWebSocket over <paramref name="stream"/>; the arguments are those of <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>.</summary>
        public static new HandoffWebSocket CreateFromStream(Stream stream, WebSocketCreationOptions options) => throw new NotImplementedException();

        /// <summary>Whether the transport has been handed back.</summary>
        public bool IsDetached => throw new NotImplementedException();

        /// <summary>Stops the WebSocket layer and returns the transport.</summary>
        public ValueTask<Stream> DetachAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <summary>Sends <paramref name="finalMessage"/> as the last WebSocket message, then detaches.</summary>
        public ValueTask<Stream> SendAndDetachAsync(ReadOnlyMemory<byte> finalMessage, WebSocketMessageType messageType, CancellationToken cancellationToken = default) => throw new NotImplementedException();

        /// <summary>Synchronous <see cref="DetachAsync"/>.</summary>
        public Stream Detach() => throw new NotImplementedException();

        /// <inheritdoc />
        public override WebSocketCloseStatus? CloseStatus => throw new NotImplementedException();
        /// <inheritdoc />
        public override string? CloseStatusDescription => throw new NotImplementedException();
        /// <inheritdoc />
        public override WebSocketState State => throw new NotImplementedException();
        /// <inheritdoc />
        public override string? SubProtocol => throw new NotImplementedException();
        /// <inheritdoc />
        public override void Abort() => throw new NotImplementedException();
        /// <inheritdoc />
        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => throw new NotImplementedException();
        /// <inheritdoc />
        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => throw new NotImplementedException();
        /// <inheritdoc />
        public override void Dispose() => throw new NotImplementedException();
        /// <inheritdoc />
        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) => throw new NotImplementedException();
        /// <inheritdoc />
        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) => throw new NotImplementedException();
    }
}
