namespace WebSocketHandoff.Analyzers
{
    /// <summary>
    /// Metadata names of the BCL and helper types the rules look for. The analyzers never reference the
    /// runtime assembly; they find its types by these names.
    /// </summary>
    internal static class Types
    {
        public const string WebSocket = "System.Net.WebSockets.WebSocket";
        public const string WebSocketProtocol = "System.Net.WebSockets.WebSocketProtocol";
        public const string WebSocketCreationOptions = "System.Net.WebSockets.WebSocketCreationOptions";
        public const string HandoffWebSocket = "WebSocketHandoff.HandoffWebSocket";
        public const string WebSocketsNamespace = "System.Net.WebSockets";

        public const string Stream = "System.IO.Stream";
        public const string SslStream = "System.Net.Security.SslStream";
        public const string BufferedStream = "System.IO.BufferedStream";
        public const string NetworkStream = "System.Net.Sockets.NetworkStream";
        public const string Socket = "System.Net.Sockets.Socket";
        public const string TcpClient = "System.Net.Sockets.TcpClient";

        public const string TimeSpan = "System.TimeSpan";
        public const string Timeout = "System.Threading.Timeout";
        public const string UnsafeAccessorAttribute = "System.Runtime.CompilerServices.UnsafeAccessorAttribute";
    }
}
