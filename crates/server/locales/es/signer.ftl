## Páginas para firmantes: confirmar, gestionar, retirar, enlaces perdidos, privacidad, versiones.

confirm-heading = Confirma tu firma
confirm-intro = Estás a punto de confirmar tu firma en <strong>«<bdi>{ $title }</bdi>»</strong>.
confirm-you-sign-as = Firmas como <strong><bdi>{ $category }</bdi></strong>. El público verá:
shown-nothing = Nada: tu firma se cuenta, pero tu nombre nunca se muestra.
confirm-button = Confirmar mi firma
confirm-not-yours = ¿No es lo que enviaste, o no firmaste esta carta? No se publica nada a menos que confirmes. Para borrar este envío ahora y poder firmar con tus propias opciones:
confirm-discard = Descartar este envío

confirmed-text = Tu firma en <strong>«<bdi>{ $title }</bdi>»</strong> está confirmada y contada.
see-letter-signatories = Ver la carta y sus firmantes
confirmed-receipt = Tu firma es la entrada { $index } del registro público de la carta. <a href="{ $receipt }" download>Descarga tu comprobante</a>: con él podrás demostrar más adelante que tu firma se contó, aunque hayas firmado de forma privada (<code>undersigned receipt verify</code>). Guárdalo en privado: vincula la entrada con tu dirección de correo.
confirmed-withdraw = ¿Cambiaste de opinión? <a href="{ $withdraw }">Retira tu firma</a>. El enlace de tu correo abre ahora, durante mucho tiempo, una página para gestionar tu firma (cómo apareces, tu comprobante, retirarla): guarda el correo.

check-heading = Revisa tu correo
check-text = Hemos enviado un mensaje a la dirección que nos diste. Abre el enlace que contiene y pulsa <strong>Confirmar mi firma</strong>: tu firma en «<bdi>{ $title }</bdi>» solo se cuenta una vez confirmada.
check-spam = ¿No te ha llegado nada después de unos minutos? Mira en tu carpeta de spam. El enlace funciona durante { $lifetime }.

manage-heading = Gestiona tu firma
manage-intro = Tu firma en <strong>«<bdi>{ $title }</bdi>»</strong> está confirmada y contada, como <strong><bdi>{ $category }</bdi></strong>. Es la entrada { $index } del registro público de la carta.
manage-public-sees = El público ve:
manage-change = Cambia cómo apareces
show-my-signature = Mostrar mi firma
manage-log-note = El registro nunca se reescribe: al cambiarlo se añaden una retirada de la entrada { $index } y una entrada nueva, así que el recuento no varía. Lo que la página mostraba para la entrada { $index } se borra de este sitio.
manage-name-in-log = El registro de esta carta empezó antes de que se dejaran fuera los nombres: la propia entrada { $index } conserva, sin cifrar, el nombre y los datos que mostraba la página, elijas lo que elijas ahora.
manage-receipt-heading = Tu comprobante
manage-receipt = <a href="{ $receipt }" download>Descarga tu comprobante</a>: con él podrás demostrar más adelante que tu firma se contó, aunque hayas firmado de forma privada (<code>undersigned receipt verify</code>). Guárdalo en privado: vincula la entrada con tu dirección de correo.
manage-withdraw-heading = Retirar
manage-withdraw = ¿Cambiaste de opinión? <a href="{ $withdraw }">Retira tu firma</a>.
manage-expires = Este enlace funciona hasta el { $date }. Guarda el correo en el que llegó; si lo pierdes, pide un enlace nuevo en la página de la carta.

withdraw-heading = ¿Retirar tu firma?
withdraw-intro = Firmaste <strong>«<bdi>{ $title }</bdi>»</strong>. Tu firma es la entrada { $index } del registro público de la carta.
withdraw-effect = Al retirarla, desaparece de la página y de los recuentos de inmediato. El registro nunca se reescribe, así que se le añade una entrada de retirada que menciona la entrada { $index }: quien compruebe el recuento verá que se retiró una firma.
withdraw-name-in-log = La propia entrada { $index } permanece en el registro tal como se publicó: el nombre y los datos que mostraba la página, con una huella cifrada con sal de tu dirección de correo que nadie puede revertir sin tu comprobante. No puedes deshacer una retirada, pero puedes volver a firmar la carta.
withdraw-shown = La propia entrada { $index } permanece en el registro sin tu nombre: solo contiene huellas cifradas con sal de lo que mostraba la página y de tu dirección de correo. Al retirarla, tu nombre y los datos que diste se borran de este sitio, de modo que nadie puede recuperarlos a partir del registro (las copias que alguien haya guardado antes quedan fuera de nuestro alcance). No puedes deshacer una retirada, pero puedes volver a firmar la carta.
withdraw-private = La propia entrada { $index } permanece en el registro sin tu nombre (firmaste de forma privada), con una huella cifrada con sal de tu dirección de correo que nadie puede revertir sin tu comprobante. No puedes deshacer una retirada, pero puedes volver a firmar la carta.
withdraw-button = Retirar mi firma
withdraw-keep = Mantener mi firma

lost-sent = Si esta dirección firmó <strong>«<bdi>{ $title }</bdi>»</strong>, le hemos enviado un enlace: un enlace para gestionar tu firma o, si aún no la has confirmado, el enlace para confirmarla.
lost-spam = ¿No te ha llegado nada después de unos minutos? Mira en tu carpeta de spam. Solo enviamos un número limitado de enlaces a una misma dirección.
lost-intro = Escribe la dirección con la que firmaste <strong>«<bdi>{ $title }</bdi>»</strong>. Si firmó, le enviaremos un enlace nuevo para gestionar tu firma (o para confirmarla, si aún no lo has hecho).

privacy-heading = Aviso de privacidad
privacy-intro = Qué pasa con lo que nos das cuando firmas esta carta.
privacy-kept = Qué se guarda
privacy-kept-form = Lo que escribes en el formulario: tu nombre, tu dirección de correo y los datos que decidas dar (cargo, afiliación, ciudad, país, comentario), junto con cómo firmas y cómo puede mostrarse tu nombre.
privacy-kept-organisation = Si firmas en nombre de una organización: su nombre, su sitio web y su logotipo, y tu nombre, tu cargo y tu correo del trabajo, como la persona que firmó en su nombre.
privacy-kept-when = Cuándo firmaste y confirmaste.
privacy-encrypted = Los nombres, las direcciones de correo y los datos se guardan cifrados. Solo usamos tu dirección de correo para enviarte el enlace para confirmar tu firma y, más adelante, para gestionarla o retirarla.
privacy-who = Quién lo ve
privacy-who-public = <strong>El público</strong> solo ve lo que elegiste: tu nombre completo, tus iniciales o nada en absoluto (en ese caso tu firma solo se cuenta). Tu dirección de correo nunca se muestra.
privacy-who-organisers = <strong>Los organizadores de esta carta</strong> ven el nombre, la dirección de correo y los datos de cada firmante, sea cual sea su elección, para poder comprobar las firmas y entregar la carta.
privacy-who-record = <strong>El registro público</strong> que permite a cualquiera comprobar el recuento no contiene ninguna dirección de correo ni ningún nombre: solo huellas codificadas que no pueden convertirse de nuevo en ellos.
privacy-how-long = Durante cuánto tiempo
privacy-retention =
    Los nombres, las direcciones de correo y los datos se borran { $days ->
            [one] { $days } día
           *[other] { $days } días
        } después del cierre de la carta. Los recuentos y el registro público se conservan.
privacy-kept-forever = Los organizadores conservan los nombres, las direcciones de correo y los datos mientras exista la carta. Cuando se borra la carta, se borran con ella. Los recuentos y el registro público se conservan.
privacy-unconfirmed = Una firma que nunca se confirma no se cuenta ni se muestra.
privacy-withdraw = Cómo retirar tu firma
privacy-withdraw-text = El correo que te enviamos contiene un enlace para gestionar tu firma: te permite cambiar cómo se muestra tu nombre o retirar tu firma en cualquier momento. Al retirarla, desaparece de la página y del recuento de inmediato, y tu nombre y tus datos se borran de este sitio. ¿Perdiste el correo? <a href="{ $link }">Pide un enlace nuevo</a>.
privacy-intro-hosted = Qué pasa con lo que nos das cuando firmas esta carta, publicada por <bdi>{ $host }</bdi>.

home-heading = Cartas abiertas
home-intro = Las cartas publicadas aquí recogen firmas confirmadas. Cada firmante elige si su nombre se muestra completo, con iniciales o no se muestra.
home-empty = Todavía no se ha publicado ninguna carta.

versions-heading = Versiones de esta carta
versions-none = El texto no se ha editado desde que se publicó.
versions-hint = El texto exacto de cada versión está enlazado abajo; el registro público de la carta guarda el SHA-256 de cada una, así que cualquiera puede comprobar que ninguna versión se cambió después. En los cambios, las palabras eliminadas aparecen tachadas y las añadidas, subrayadas, y cada una está etiquetada para los lectores de pantalla.
versions-version = Versión { $n }
versions-exact = el texto exacto
versions-changed-from = Qué cambió respecto a la versión { $n }

diff-removed = eliminado:
diff-added = añadido:

family-heading = Todos los destinatarios: { $title }
family-intro = Esta carta se envió a más de un destinatario. Cada uno tiene sus propias firmas, su registro y su respuesta.
family-asks = Peticiones
family-latest-response = Última respuesta
family-no-response = Aún no hay respuesta.

invitation-heading = Añade tu firma
invitation-intro = Firmaste una carta anterior de esta campaña. Los organizadores la envían ahora a un nuevo destinatario y te invitan a firmarla también. No se añade nada a menos que pulses el botón.
invitation-asks = Lo que pide la carta
invitation-sign-as = Firmas como <strong><bdi>{ $category }</bdi></strong>, con el nombre y los datos que diste antes.
invitation-button = Añadir mi firma
invitation-hint = Preseleccionado según cómo elegiste aparecer antes. Una firma privada se cuenta y es verificable, y tu nombre nunca se muestra.
invitation-sign-as-organisation = Firmas como <strong><bdi>{ $category }</bdi></strong>, en nombre de tu organización, como antes, con el nombre y los datos que diste entonces.

reconfirm-gone-heading = Esta firma ya no está en la carta
reconfirm-gone = Se retiró o se eliminó, así que no hay nada que volver a confirmar.
reconfirm-done-heading = Tu firma está confirmada de nuevo
reconfirm-done = Tu firma en <strong>«<bdi>{ $title }</bdi>»</strong> se mantiene con su texto actual (versión { $current }).
reconfirm-heading = Vuelve a confirmar tu firma
reconfirm-intro = Firmaste la versión { $signed } de <strong>«<bdi>{ $title }</bdi>»</strong>. Desde entonces, sus organizadores han cambiado el texto de forma sustancial; ahora es la versión { $current }. Las palabras eliminadas aparecen tachadas y las añadidas, subrayadas.
reconfirm-agree = Si estás de acuerdo con el nuevo texto, pulsa el botón. Si no, puedes retirar tu firma con el enlace que recibiste cuando firmaste.
reconfirm-button = Vuelvo a confirmar mi firma con el nuevo texto
reconfirm-all-versions = Todas las versiones

unsubscribe-heading = ¿Dejar de recibir novedades?
unsubscribe-intro = Firmaste <strong>«<bdi>{ $title }</bdi>»</strong> y pediste recibir novedades sobre ella por correo. Pulsa el botón para dejar de recibirlas. Tu firma se mantiene tal como está.
unsubscribe-button = Darme de baja de estas novedades
unsubscribe-none-heading = No recibes novedades
unsubscribe-none = No recibirás por correo novedades sobre <strong>«<bdi>{ $title }</bdi>»</strong>. Tu firma se mantiene tal como está.

embed-kicker = Carta abierta
embed-new-tab-hint = Al enviar el formulario, el sitio de la carta se abre en una pestaña nueva para contarte los siguientes pasos.
embed-read = Leer la carta
embed-powered = Funciona con Undersigned
opens-new-tab = (se abre en una pestaña nueva)
msg-withdrawn = Ya no se muestra ni se cuenta. El registro de la carta termina ahora con una entrada de retirada que nombra la entrada { $index }.
msg-added-counted = Tu firma en «{ $title }» está confirmada y contada.
msg-added-batch = Tu firma en «{ $title }» está confirmada. Esta carta publica las firmas por lotes: se contará a partir del { $when }.
msg-added-review = Tu firma en «{ $title }» está confirmada. Los organizadores revisan las firmas antes de publicarlas y contarlas.
msg-unsubscribed = No recibirás más novedades sobre «{ $title }». Tu firma sigue igual.
