using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace WebSocketHandoff.Analyzers.Flow
{
    /// <summary>
    /// The BCL and helper types the flow rules look for, resolved once per compilation.
    /// <see cref="TryCreate"/> returns null when <c>System.Net.WebSockets.WebSocket</c> is not referenced:
    /// then no rule has anything to say and the analyzers register nothing.
    /// </summary>
    internal sealed class HandoffTypes
    {
        private HandoffTypes(Compilation compilation, INamedTypeSymbol webSocket)
        {
            WebSocket = webSocket;
            WebSocketProtocol = compilation.GetTypeByMetadataName(Types.WebSocketProtocol);
            HandoffWebSocket = compilation.GetTypeByMetadataName(Types.HandoffWebSocket);
            WebSocketCreationOptions = compilation.GetTypeByMetadataName(Types.WebSocketCreationOptions);
            Stream = compilation.GetTypeByMetadataName(Types.Stream);
            SslStream = compilation.GetTypeByMetadataName(Types.SslStream);
            BufferedStream = compilation.GetTypeByMetadataName(Types.BufferedStream);
            NetworkStream = compilation.GetTypeByMetadataName(Types.NetworkStream);
            Socket = compilation.GetTypeByMetadataName(Types.Socket);
            TcpClient = compilation.GetTypeByMetadataName(Types.TcpClient);
            TimeSpan = compilation.GetTypeByMetadataName(Types.TimeSpan);
            Timeout = compilation.GetTypeByMetadataName(Types.Timeout);
            PipeReader = compilation.GetTypeByMetadataName("System.IO.Pipelines.PipeReader");
            PipeWriter = compilation.GetTypeByMetadataName("System.IO.Pipelines.PipeWriter");
            AuthenticatedStream = compilation.GetTypeByMetadataName("System.Net.Security.AuthenticatedStream");

            var readers = ImmutableHashSet.CreateBuilder<INamedTypeSymbol>(SymbolEqualityComparer.Default);
            foreach (var name in new[]
            {
                "System.IO.StreamReader", "System.IO.StreamWriter", "System.IO.BinaryReader", "System.IO.BinaryWriter",
                "System.IO.BufferedStream", "System.Net.Security.SslStream", "System.Net.Security.NegotiateStream",
                "System.IO.Compression.GZipStream", "System.IO.Compression.DeflateStream", "System.IO.Compression.BrotliStream",
                "System.IO.Compression.ZLibStream", "System.Security.Cryptography.CryptoStream",
            })
            {
                var type = compilation.GetTypeByMetadataName(name);
                if (type != null)
                {
                    readers.Add(type);
                }
            }

            IoWrappers = readers.ToImmutable();
            TcpClientClient = FindMember<IPropertySymbol>(TcpClient, "Client");
            TcpClientGetStream = FindMember<IMethodSymbol>(TcpClient, "GetStream");
            NetworkStreamSocket = FindMember<IPropertySymbol>(NetworkStream, "Socket");
        }

        public INamedTypeSymbol WebSocket { get; }
        public INamedTypeSymbol? WebSocketProtocol { get; }
        public INamedTypeSymbol? HandoffWebSocket { get; }
        public INamedTypeSymbol? WebSocketCreationOptions { get; }
        public INamedTypeSymbol? Stream { get; }
        public INamedTypeSymbol? SslStream { get; }
        public INamedTypeSymbol? BufferedStream { get; }
        public INamedTypeSymbol? NetworkStream { get; }
        public INamedTypeSymbol? Socket { get; }
        public INamedTypeSymbol? TcpClient { get; }
        public INamedTypeSymbol? TimeSpan { get; }
        public INamedTypeSymbol? Timeout { get; }
        public INamedTypeSymbol? PipeReader { get; }
        public INamedTypeSymbol? PipeWriter { get; }
        public INamedTypeSymbol? AuthenticatedStream { get; }

        /// <summary>Readers, writers and stream wrappers that do I/O on the stream handed to their constructor.</summary>
        public ImmutableHashSet<INamedTypeSymbol> IoWrappers { get; }

        public IPropertySymbol? TcpClientClient { get; }
        public IMethodSymbol? TcpClientGetStream { get; }
        public IPropertySymbol? NetworkStreamSocket { get; }

        public static HandoffTypes? TryCreate(Compilation compilation)
        {
            var webSocket = compilation.GetTypeByMetadataName(Types.WebSocket);
            return webSocket == null ? null : new HandoffTypes(compilation, webSocket);
        }

        public bool IsCreationType(INamedTypeSymbol? type) =>
            type != null
            && (SymbolEqualityComparer.Default.Equals(type, WebSocket)
                || SymbolEqualityComparer.Default.Equals(type, WebSocketProtocol)
                || SymbolEqualityComparer.Default.Equals(type, HandoffWebSocket));

        public bool IsHandoff(ITypeSymbol? type) =>
            HandoffWebSocket != null && SymbolEqualityComparer.Default.Equals(type, HandoffWebSocket);

        public bool IsWebSocket(ITypeSymbol? type) => InheritsFrom(type, WebSocket);

        public bool IsStream(ITypeSymbol? type) => Stream != null && InheritsFrom(type, Stream);

        public bool IsSocket(ITypeSymbol? type) => Socket != null && InheritsFrom(type, Socket);

        public bool IsIoWrapper(ITypeSymbol? type)
        {
            for (var current = type as INamedTypeSymbol; current != null; current = current.BaseType)
            {
                if (IoWrappers.Contains(current.OriginalDefinition))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Streams whose constructor takes the stream (or socket) they wrap as the first argument.</summary>
        public bool IsWrappingStream(ITypeSymbol? type) =>
            (SslStream != null && InheritsFrom(type, SslStream))
            || (AuthenticatedStream != null && InheritsFrom(type, AuthenticatedStream))
            || (BufferedStream != null && InheritsFrom(type, BufferedStream))
            || (NetworkStream != null && InheritsFrom(type, NetworkStream));

        public static bool InheritsFrom(ITypeSymbol? type, INamedTypeSymbol? baseType)
        {
            if (baseType == null)
            {
                return false;
            }

            return InheritsFrom(type, baseType, 0);
        }

        /// <summary>Walks base types, and the constraint types of a type parameter (<c>where TStream : Stream</c>).</summary>
        private static bool InheritsFrom(ITypeSymbol? type, INamedTypeSymbol baseType, int depth)
        {
            for (var current = type; current != null; current = current.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(current, baseType))
                {
                    return true;
                }

                if (current is ITypeParameterSymbol typeParameter && depth < 8)
                {
                    foreach (var constraint in typeParameter.ConstraintTypes)
                    {
                        if (InheritsFrom(constraint, baseType, depth + 1))
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        private static T? FindMember<T>(INamedTypeSymbol? type, string name)
            where T : class, ISymbol
        {
            if (type == null)
            {
                return null;
            }

            foreach (var member in type.GetMembers(name))
            {
                if (member is T typed && !member.IsStatic)
                {
                    if (typed is IMethodSymbol method && method.Parameters.Length != 0)
                    {
                        continue;
                    }

                    return typed;
                }
            }

            return null;
        }
    }
}
